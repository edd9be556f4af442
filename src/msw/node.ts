// The `ec2-imds-replay/msw/node` entry: everything from `ec2-imds-replay/msw` plus reading cassette files, which needs node:fs.
export * from './index.js';
export { DEFAULT_CASSETTE_PATH, loadCassette, parseCassette } from '../cassette/load-cassette.js';
export { loadScenario } from '../cassette/load-scenario.js';
