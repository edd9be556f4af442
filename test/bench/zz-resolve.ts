import { loadCassette } from '../../src/cassette/load-cassette.js';
import { createReplayEngine } from '../../src/core/replay-engine.js';
const cassette = await loadCassette();
const engine = createReplayEngine({ cassette, secret: 's', clock: Date.now });
const t = (name: string, path: string, headers: Record<string, string> = { host: '127.0.0.1:1' }) => {
  const req = { method: 'GET', path, headers, clientAddress: '127.0.0.1' };
  for (let i = 0; i < 50000; i++) engine.resolve(req);
  const s = performance.now(); for (let i = 0; i < 200000; i++) engine.resolve(req);
  console.log(name.padEnd(12), ((performance.now() - s) * 1000 / 200000).toFixed(2), 'µs');
};
for (let r = 0; r < 2; r++) {
t('leaf', '/latest/meta-data/instance-id');
t('listing', '/latest/meta-data/');
t('404', '/latest/meta-data/nope');
t('301', '/latest/meta-data/iam');
t('creds', '/latest/meta-data/iam/security-credentials/baskinc-role');
}
