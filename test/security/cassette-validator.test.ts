import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { CassetteError } from '../../src/core/errors.js';
import { validateCassette } from '../../src/core/validate-cassette.js';
import { createTinyCassette } from '../helpers/tiny-cassette.js';

const schema = JSON.parse(readFileSync(new URL('../../src/cassette/cassette.schema.json', import.meta.url), 'utf8')) as object;
const bySchema = new Ajv2020({ allErrors: true }).compile(schema);

/** Whether the loader accepts `value`; anything but a CassetteError is a bug and fails the test. */
function byLoader(value: unknown): boolean {
  try {
    validateCassette(value, 'mutated.json');
    return true;
  } catch (error) {
    if (!(error instanceof CassetteError)) throw error;
    return false;
  }
}

type Json = Record<string, unknown>;
const LEAF = '/latest/meta-data/ami-id';

// One table for both: each mutation of a valid cassette is judged by the published schema and by the loader.
const MUTATIONS: Array<[string, (cassette: Json & { meta: Json; entries: Record<string, Json> }) => void]> = [
  ['nothing', () => undefined],
  ['meta.instanceType an object', (c) => void (c.meta.instanceType = { name: 'm5.large' })],
  ['meta.region a number', (c) => void (c.meta.region = 1)],
  ['meta.availabilityZone null', (c) => void (c.meta.availabilityZone = null)],
  ['meta.incomplete true', (c) => void (c.meta.incomplete = true)],
  ['meta.incomplete a list of paths', (c) => void (c.meta.incomplete = ['/latest/meta-data/x'])],
  ['meta.incomplete false', (c) => void (c.meta.incomplete = false)],
  ['meta.incomplete a list of numbers', (c) => void (c.meta.incomplete = [1])],
  ['meta.synthetic a string', (c) => void (c.meta.synthetic = 'yes')],
  ['meta.redacted missing', (c) => void delete c.meta.redacted],
  ['format wrong', (c) => void (c.format = 'aemm-cassette/2')],
  ['a key with ?', (c) => void (c.entries['/latest/a?b'] = { status: 200, headers: {}, body: 'x' })],
  ['a key with //', (c) => void (c.entries['/latest//a'] = { status: 200, headers: {}, body: 'x' })],
  ['a key with ESC', (c) => void (c.entries['/latest/\u001b[31m'] = { status: 200, headers: {}, body: 'x' })],
  ['a key without the leading slash', (c) => void (c.entries['latest/a'] = { status: 200, headers: {}, body: 'x' })],
  ['status 99', (c) => void (c.entries[LEAF]!.status = 99)],
  ['status 200.5', (c) => void (c.entries[LEAF]!.status = 200.5)],
  ['status "200"', (c) => void (c.entries[LEAF]!.status = '200')],
  ['status 204 with a body', (c) => void (c.entries[LEAF] = { status: 204, headers: {}, body: 'x' })],
  ['status 304 with bodyBase64', (c) => void (c.entries[LEAF] = { status: 304, headers: {}, bodyBase64: 'eA==' })],
  ['status 101 with a body', (c) => void (c.entries[LEAF] = { status: 101, headers: {}, body: 'x' })],
  ['status 204 with an empty body', (c) => void (c.entries[LEAF] = { status: 204, headers: {}, body: '' })],
  ['status 304 without a body', (c) => void (c.entries[LEAF] = { status: 304, headers: {} })],
  ['both body and bodyBase64', (c) => void (c.entries[LEAF]!.bodyBase64 = 'eA==')],
  ['bodyBase64 not base64', (c) => void (c.entries[LEAF] = { status: 200, headers: {}, bodyBase64: '***' })],
  ['an unknown entry field', (c) => void (c.entries[LEAF]!.extra = 1)],
  ['a header name in upper case', (c) => void (c.entries[LEAF]!.headers = { 'Content-Type': 'text/plain' })],
  ['a header value with a newline', (c) => void (c.entries[LEAF]!.headers = { 'content-type': 'text/plain\r\nx: y' })],
  ['a header value that is a number', (c) => void (c.entries[LEAF]!.headers = { 'content-length': 3 })],
  ['headers missing', (c) => void delete c.entries[LEAF]!.headers],
  ['entries an array', (c) => void (c.entries = [] as unknown as Record<string, Json>)],
];

describe('the loader and the published schema agree (issue 11 item 8)', () => {
  for (const [name, mutate] of MUTATIONS) {
    test(`on ${name}`, () => {
      const cassette = structuredClone(createTinyCassette()) as unknown as Parameters<typeof mutate>[0];
      mutate(cassette);
      assert.equal(byLoader(cassette), bySchema(cassette), `schema ${bySchema(cassette) ? 'accepts' : 'rejects'} it`);
    });
  }

  test('on random entries: same verdict, and the loader never throws anything but a CassetteError', () => {
    const text = fc.string({ maxLength: 12 });
    const headerName = fc.oneof(fc.constantFrom('content-type', 'last-modified', 'Content-Type', 'x y', ''), fc.string({ maxLength: 6 }));
    const entry = fc.record(
      {
        status: fc.oneof(
          fc.integer({ min: 90, max: 610 }),
          fc.constantFrom(100, 101, 204, 304, 200),
          fc.double(),
          fc.string({ maxLength: 3 }),
        ),
        headers: fc.oneof(fc.dictionary(headerName, fc.oneof(text, fc.integer())), fc.constant(null)),
        body: fc.oneof(text, fc.constant('')),
        bodyBase64: fc.oneof(fc.constantFrom('', 'eA==', 'AAAA', '***', '=', 'eA=\n'), text),
        extra: fc.anything(),
      },
      { requiredKeys: [] },
    );
    const key = fc.oneof(
      fc.constantFrom(LEAF, '/', '/latest/', '/latest//x', '/a?b', '/a#b', 'x', '/\u0000', '/\u007f', '/é'),
      fc.string({ maxLength: 10 }).map((tail) => `/latest/${tail}`),
    );
    const meta = fc.record(
      {
        instanceType: fc.oneof(text, fc.integer(), fc.constant({})),
        incomplete: fc.oneof(fc.boolean(), fc.array(text, { maxLength: 2 }), fc.array(fc.integer(), { minLength: 1, maxLength: 2 })),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.dictionary(key, entry, { maxKeys: 3 }), meta, (entries, extraMeta) => {
        const cassette = createTinyCassette() as unknown as Json & { meta: Json; entries: Record<string, unknown> };
        Object.assign(cassette.meta, extraMeta);
        Object.assign(cassette.entries, entries);
        assert.equal(byLoader(cassette), bySchema(cassette), JSON.stringify({ entries, extraMeta }));
      }),
      { numRuns: 2000 },
    );
  });

  test('checks in time linear in the cassette, however hostile its keys and bodies', () => {
    const build = (count: number): unknown => {
      const cassette = createTinyCassette() as unknown as { entries: Record<string, unknown> };
      for (let index = 0; index < count; index++) {
        cassette.entries[`/latest/${'%2e/'.repeat(20)}k${index}`] = {
          status: 200,
          headers: { 'content-type': `${'\t'.repeat(50)}x` },
          bodyBase64: `${'A'.repeat(400)}==`,
        };
      }
      return cassette;
    };
    // CPU time of this process, not wall time: other processes taking the cores cannot inflate one side.
    const time = (value: unknown): number => {
      let best = Infinity;
      for (let run = 0; run < 9; run++) {
        const started = process.cpuUsage();
        byLoader(value);
        const used = process.cpuUsage(started);
        best = Math.min(best, (used.user + used.system) / 1000);
      }
      return best;
    };
    const small = time(build(1_000));
    const large = time(build(8_000));
    // Linear gives about 8, quadratic 64: generous for a shared, busy machine.
    assert.ok(large < small * 24 + 20, `${small.toFixed(2)} ms for 1k entries, ${large.toFixed(2)} ms for 8k`);
  });
});

describe('entries that would break HTTP framing or the terminal are refused on load (issue 11 item 8)', () => {
  for (const status of [100, 101, 204, 304]) {
    test(`a ${status} entry with a body`, () => {
      const cassette = createTinyCassette();
      cassette.entries[LEAF] = { status, headers: {}, body: 'smuggled' };
      assert.throws(() => validateCassette(cassette, 'framing.json'), {
        code: 'CASSETTE_INVALID',
        message: new RegExp(`entry "${LEAF}" has status ${status} with a body`),
      });
    });
  }

  test('a key with control characters', () => {
    const cassette = createTinyCassette();
    cassette.entries['/latest/meta-data/\u001b[2J'] = { status: 200, headers: {}, body: 'x' };
    assert.throws(() => validateCassette(cassette, 'terminal.json'), {
      code: 'CASSETTE_INVALID',
      message: /has control characters in its path/,
    });
  });
});
