// `npm run bench`: runs every test/bench/*.bench.ts (or the ones named) one after another, so
// each measures side by side within itself on an otherwise idle machine. Loopback only.
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((name) => name.endsWith('.bench.ts'))
  .filter((name) => wanted.length === 0 || wanted.some((w) => name.includes(w)))
  .sort();

for (const file of files) {
  console.log(`\n== ${basename(file, '.bench.ts')}`);
  const module = (await import(pathToFileURL(join(dir, file)).href)) as { default: () => Promise<void> };
  await module.default();
}
