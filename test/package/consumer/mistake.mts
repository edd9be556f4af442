// Must NOT type-check: a misspelt option and two wrong mock settings, so the published types are
// real and not `any`. The test expects exactly these three errors.
import { startServer } from 'ec2-imds-replay';
import { defaultCassette, imdsHandlers } from 'ec2-imds-replay/msw';

await startServer({ port: 0, imdsV2: 'required' });
imdsHandlers({ cassette: defaultCassette }).control.spot({ action: 'explode' });
await startServer({ mocks: { spot: { acton: 'stop' } } });
