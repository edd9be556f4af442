// Run as a child process: diffs two cassettes whose keys are thousands of levels deep with
// --ignore '**/spot/*', and prints how many changes were found, so a test can give up on a hang.
import { diffCassettes } from '../../../src/differ/diff-cassettes.js';
import { createTinyCassette } from '../../helpers/tiny-cassette.js';

const depth = Number(process.argv[2] ?? '4000');
const a = createTinyCassette();
const b = createTinyCassette();
for (let index = 0; index < 20; index++) {
  const key = `/latest/meta-data${'/a'.repeat(depth)}/leaf-${index}`;
  a.entries[key] = { status: 200, headers: {}, body: 'one' };
  b.entries[key] = { status: 200, headers: {}, body: 'two' };
}
const diff = diffCassettes(a, b, { ignore: ['**/spot/*'] });
process.stdout.write(String(diff.changes.length));
