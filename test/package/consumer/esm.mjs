// An ESM consumer: imports the three entries and prints what it found, one JSON line.
import { loadCassette, startServer } from 'ec2-imds-replay';
import { defaultCassette, imdsHandlers } from 'ec2-imds-replay/msw';
import { loadCassette as loadFromNode } from 'ec2-imds-replay/msw/node';

const handlers = imdsHandlers({ cassette: defaultCassette });
const cassette = await loadFromNode(new URL('./node_modules/ec2-imds-replay/recordings/m7g-large.json', import.meta.url).pathname);
console.log(
  JSON.stringify({
    startServer: typeof startServer,
    loadCassette: typeof loadCassette,
    handlers: handlers.handlers.length > 0,
    instanceId: defaultCassette.entries['/latest/meta-data/instance-id'].body,
    instanceType: cassette.meta.instanceType,
  }),
);
