// Must NOT type-check: a misspelt option, so the published types are real and not `any`.
import { startServer } from 'ec2-imds-replay';

await startServer({ port: 0, imdsV2: 'required' });
