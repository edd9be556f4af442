// Regenerates recordings/aemm-defaults.json, AEMM v1.12's default instance as a cassette:
// `npx tsx src/aemm/write-aemm-defaults.ts`.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildAemmCassette } from './build-aemm-cassette.js';
import { loadAemmConfig } from './load-aemm-config.js';

const target = fileURLToPath(new URL('../../recordings/aemm-defaults.json', import.meta.url));
// No HOME and no flags: AEMM's built-in defaults only.
const { tree } = await loadAemmConfig({ flags: [], env: {}, now: 0, utcOffsetMinutes: 0 });
const cassette = buildAemmCassette(tree);
writeFileSync(target, `${JSON.stringify(cassette, null, 2)}\n`);
console.log(`Wrote ${Object.keys(cassette.entries).length} entries to ${target}`);
