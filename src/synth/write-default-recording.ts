// Regenerates recordings/default.json, the embedded default cassette: `npm run recordings`.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defaultInstanceSpec } from './default-instance.js';
import { synthesizeCassette } from './synthesize-cassette.js';

// Resolves to <root>/recordings from both src/synth (tsx) and dist/synth (compiled).
const target = fileURLToPath(new URL('../../recordings/default.json', import.meta.url));
const cassette = synthesizeCassette(defaultInstanceSpec);
writeFileSync(target, JSON.stringify(cassette, null, 2) + '\n');
console.log(`Wrote ${Object.keys(cassette.entries).length} entries to ${target}`);
