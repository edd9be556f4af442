import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parseCassette } from '../src/cassette/load-cassette.js';
import { createReplayEngine } from '../src/core/replay-engine.js';
import { CassetteError } from '../src/core/errors.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const schema = JSON.parse(readFileSync(join(root, 'src/cassette/cassette.schema.json'), 'utf8')) as object;
const validateSchema = new Ajv2020({ allErrors: true }).compile(schema);
const files = readdirSync(join(root, 'recordings'))
  .filter((name) => name.endsWith('.json'))
  .sort();

/** Walks a replayed cassette like cloud-init does: every listed child is fetched and must answer 200. */
function walk(engine: ReturnType<typeof createReplayEngine>, path: string, seen: Set<string>, failures: string[]): void {
  const response = engine.resolve({ method: 'GET', path, headers: {} });
  if (response.status !== 200) {
    failures.push(`${path} → ${response.status}`);
    return;
  }
  seen.add(path);
  if (!path.endsWith('/')) return;
  const body = new TextDecoder().decode(response.body);
  assert.ok(!body.endsWith('\n'), `${path} listing ends with a newline`);
  for (const line of body.split('\n')) {
    const indexed = /^(\d+)=/.exec(line);
    const child = indexed ? `${indexed[1]}/` : line;
    const dirHint = path === '/latest/' && ['dynamic', 'meta-data'].includes(line);
    walk(engine, `${path}${child}${dirHint ? '/' : ''}`, seen, failures);
  }
}

describe('shipped recordings', () => {
  test('there is at least the embedded default recording', () => {
    assert.ok(files.includes('default.json'));
  });

  for (const file of files) {
    describe(file, () => {
      const text = readFileSync(join(root, 'recordings', file), 'utf8');

      test('validates with our loader and with the published JSON Schema', () => {
        parseCassette(text, file);
        assert.ok(validateSchema(JSON.parse(text)), JSON.stringify(validateSchema.errors));
      });

      test('every listing names only children that answer 200, and every entry is reachable from a listing', () => {
        const cassette = parseCassette(text, file);
        const engine = createReplayEngine({ cassette, secret: 's', clock: () => Date.parse('2026-11-26T12:00:00Z') });
        const seen = new Set<string>();
        const failures: string[] = [];
        walk(engine, '/latest/', seen, failures);
        assert.deepEqual(failures, []);
        const unreachable = Object.keys(cassette.entries).filter((key) => key.startsWith('/latest/') && !seen.has(key));
        assert.deepEqual(unreachable, []);
      });
    });
  }
});

describe('the JSON Schema and the loader agree on broken cassettes', () => {
  const base = JSON.parse(readFileSync(join(root, 'recordings', 'default.json'), 'utf8')) as Record<string, any>;
  const mutations: Array<[string, (c: Record<string, any>) => void]> = [
    ['wrong format', (c) => (c.format = 'aemm-cassette/2')],
    ['missing meta.source', (c) => delete c.meta.source],
    ['redacted not a list', (c) => (c.meta.redacted = 'none')],
    ['status as text', (c) => (c.entries['/latest/meta-data/ami-id'].status = '200')],
    ['headers missing', (c) => delete c.entries['/latest/meta-data/ami-id'].headers],
    ['key with //', (c) => (c.entries['/latest//x'] = { status: 200, headers: {} })],
    ['key with a query', (c) => (c.entries['/latest/x?y'] = { status: 200, headers: {} })],
    ['body and bodyBase64', (c) => (c.entries['/latest/meta-data/ami-id'].bodyBase64 = 'AA==')],
    ['extra field', (c) => (c.entries['/latest/meta-data/ami-id'].note = 'x')],
    ['upper-case header', (c) => (c.entries['/latest/meta-data/ami-id'].headers = { 'Content-Type': 'text/plain' })],
  ];
  for (const [name, mutate] of mutations) {
    test(`${name}: both refuse it`, () => {
      const value = structuredClone(base);
      mutate(value);
      assert.equal(validateSchema(value), false);
      assert.throws(() => parseCassette(JSON.stringify(value), 'x.json'), CassetteError);
    });
  }
});
