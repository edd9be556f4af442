import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((item) => {
    const path = join(dir, item.name);
    if (item.isDirectory()) return item.name === 'node_modules' || item.name.startsWith('.') ? [] : listFiles(path);
    return /\.(ts|js|json|md)$/.test(item.name) ? [path] : [];
  });
}

const sources = [...listFiles(join(root, 'src')), ...listFiles(join(root, 'test'))];

describe('comments cite our docs or AWS, never a file outside the repository', () => {
  // Spelled in pieces so this file does not match itself.
  const outside = new RegExp(['\\.\\./sha', 'red', '|imds-fa', 'cts'].join(''));

  test('no file under src/ or test/ points at the team notes outside the repository', () => {
    const offenders = sources.filter((path) => outside.test(readFileSync(path, 'utf8'))).map((path) => relative(root, path));
    assert.deepEqual(offenders, []);
  });

  test('every docs/imds-behaviour.md section a file cites exists', () => {
    const doc = readFileSync(join(root, 'docs', 'imds-behaviour.md'), 'utf8');
    const sections = new Set([...doc.matchAll(/^## (\d+)\. /gm)].map((match) => match[1]));
    const missing = sources.flatMap((path) =>
      [...readFileSync(path, 'utf8').matchAll(/docs\/imds-behaviour\.md §(\d+)(?:–§(\d+))?/g)]
        .flatMap((match) => [match[1], match[2]])
        .filter((section): section is string => section !== undefined && !sections.has(section))
        .map((section) => `${relative(root, path)} cites §${section}`),
    );
    assert.ok(sections.size >= 7, 'the doc has its numbered sections');
    assert.deepEqual(missing, []);
  });
});
