// Regenerates every synthetic recording in recordings/ from its spec: `npm run recordings`.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { recordingLibrary } from './recording-library.js';
import { synthesizeCassette } from './synthesize-cassette.js';

for (const [name, spec] of Object.entries(recordingLibrary)) {
  // Resolves to <root>/recordings from both src/synth (tsx) and dist/synth (compiled).
  const target = fileURLToPath(new URL(`../../recordings/${name}`, import.meta.url));
  const cassette = synthesizeCassette(spec);
  writeFileSync(target, JSON.stringify(cassette, null, 2) + '\n');
  console.log(`Wrote ${Object.keys(cassette.entries).length} entries to ${target}`);
}
