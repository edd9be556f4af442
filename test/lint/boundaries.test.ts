import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = fileURLToPath(new URL('../..', import.meta.url));
const eslint = new ESLint({ cwd: root });

/** Lints `code` as if it were the file at `path` (the file need not exist) and lists what broke. */
async function lintAs(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path });
  return (result?.messages ?? []).map((message) => `${message.ruleId}: ${message.message}`);
}

describe('the folder table is enforced by the linter', () => {
  const broken: Array<[string, string, RegExp]> = [
    [
      'src/core/bad.ts',
      "import { startServer } from '../server/start-server.js';\nexport const x = startServer;\n",
      /no-restricted-paths: .*src\/core may import only src\/core/,
    ],
    [
      'src/core/layers/bad.ts',
      "import { loadCassette } from '../../cassette/load-cassette.js';\nexport const x = loadCassette;\n",
      /no-restricted-paths: .*src\/core may import only src\/core/,
    ],
    ['src/core/bad.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n", /no-nodejs-modules: .*node:fs/],
    ['src/core/bad.ts', "import { Low } from 'lowdb';\nexport const x = Low;\n", /no-restricted-paths: .*src\/core is pure/],
    ['src/core/bad.ts', "export const load = () => import('node:fs');\n", /no-nodejs-modules/],
    ['src/core/bad.ts', 'export const now = () => Date.now();\n', /no-restricted-properties: .*clock/],
    ['src/core/bad.ts', 'export const now = () => new Date();\n', /no-restricted-syntax: .*clock/],
    ['src/core/bad.ts', 'export const roll = () => Math.random();\n', /no-restricted-properties: .*randomness/],
    ['src/core/bad.ts', 'export const later = (f: () => void) => setTimeout(f, 1);\n', /no-restricted-globals: .*setTimeout/],
    [
      'src/cassette/bad.ts',
      "import { startServer } from '../server/start-server.js';\nexport const x = startServer;\n",
      /no-restricted-paths: .*src\/cassette may import only src\/cassette, src\/core/,
    ],
    [
      'src/server/bad.ts',
      "import httpProxy from 'http-proxy';\nexport const x = httpProxy;\n",
      /no-restricted-paths: .*http-proxy is imported only in src\/recorder/,
    ],
    [
      'src/server/bad.ts',
      "export const load = () => import('http-proxy');\n",
      /no-restricted-paths: .*http-proxy is imported only in src\/recorder/,
    ],
    [
      'src/server/bad.ts',
      "import { crawlImds } from '../recorder/crawl-imds.js';\nexport const x = crawlImds;\n",
      /no-restricted-paths: .*src\/server may import only/,
    ],
    [
      'src/recorder/bad.ts',
      "import { Low } from 'lowdb';\nexport const x = Low;\n",
      /no-restricted-paths: .*lowdb is imported only in src\/cassette/,
    ],
    [
      'src/recorder/bad.ts',
      "import { http } from 'msw';\nexport const x = http;\n",
      /no-restricted-paths: .*msw is imported only in src\/msw/,
    ],
    [
      'src/msw/bad.ts',
      "import { loadCassette } from '../cassette/load-cassette.js';\nexport const x = loadCassette;\n",
      /no-restricted-paths: .*src\/msw may import only src\/msw, src\/core/,
    ],
    ['src/msw/bad.ts', "import { readFile } from 'node:fs/promises';\nexport const x = readFile;\n", /no-nodejs-modules/],
    [
      'src/differ/bad.ts',
      "import { crawlImds } from '../recorder/crawl-imds.js';\nexport const x = crawlImds;\n",
      /no-restricted-paths: .*src\/differ may import only src\/differ, src\/core/,
    ],
    [
      'src/differ/bad.ts',
      "import chalk from 'chalk';\nexport const x = chalk;\n",
      /no-restricted-paths: .*chalk is imported only in src\/cli and src\/commands/,
    ],
    [
      'src/synth/bad.ts',
      "import { writeCassette } from '../cassette/write-cassette.js';\nexport const x = writeCassette;\n",
      /no-restricted-paths: .*src\/synth may import only src\/synth, src\/core/,
    ],
    [
      'src/aemm/bad.ts',
      "import { Command } from '@oclif/core';\nexport const x = Command;\n",
      /no-restricted-paths: .*@oclif\/core is imported only in src\/cli and src\/commands/,
    ],
    [
      'src/aemm/bad.ts',
      "import { crawlImds } from '../recorder/crawl-imds.js';\nexport const x = crawlImds;\n",
      /no-restricted-paths: .*src\/aemm may import only/,
    ],
    [
      'src/cli/bad.ts',
      "import Replay from '../commands/replay.js';\nexport const x = Replay;\n",
      /no-restricted-paths: .*src\/cli may import only/,
    ],
    ['src/cli/bad.ts', "import { http } from 'msw';\nexport const x = http;\n", /no-restricted-paths: .*msw is imported only in src\/msw/],
    ['src/index.ts', "export { colors } from './cli/colors.js';\n", /no-restricted-paths: .*src\/index\.ts exports the library/],
    ['src/server/bad.ts', "import { thing } from './no-such-file.js';\nexport const x = thing;\n", /no-unresolved/],
    [
      'src/server/bad.ts',
      "import { test } from 'node:test';\nimport { describe } from 'vitest';\nexport const x = [test, describe];\n",
      /no-unresolved|no-extraneous-dependencies/,
    ],
    ['src/cassette/bad.ts', "import { Ajv } from 'ajv';\nexport const x = Ajv;\n", /no-extraneous-dependencies: .*ajv/],
  ];
  for (const [path, code, expected] of broken) {
    test(`${path} breaks a rule: ${code.split('\n')[0]}`, async () => {
      const messages = await lintAs(path, code);
      assert.ok(
        messages.some((message) => expected.test(message)),
        `expected ${expected}, got ${JSON.stringify(messages)}`,
      );
    });
  }

  const allowed: Array<[string, string]> = [
    [
      'src/cassette/fine.ts',
      "import { Low } from 'lowdb';\nimport { validateCassette } from '../core/validate-cassette.js';\nexport const x = [Low, validateCassette];\n",
    ],
    [
      'src/server/fine.ts',
      "import { createServer } from 'node:http';\nimport { loadCassette } from '../cassette/load-cassette.js';\nexport const x = [createServer, loadCassette];\n",
    ],
    ['src/recorder/fine.ts', "export const load = () => import('http-proxy');\n"],
    [
      'src/msw/fine.ts',
      "import { http } from 'msw';\nimport { resolveRequest } from '../core/resolve-request.js';\nexport const x = [http, resolveRequest];\n",
    ],
    ['src/msw/node.ts', "export { loadCassette } from '../cassette/load-cassette.js';\n"],
    [
      'src/commands/fine.ts',
      "import { Command } from '@oclif/core';\nimport chalk from 'chalk';\nimport { crawlImds } from '../recorder/crawl-imds.js';\nexport const x = [Command, chalk, crawlImds];\n",
    ],
    ['src/core/fine.ts', 'export const at = (ms: number) => new Date(ms).toISOString();\n'],
  ];
  for (const [path, code] of allowed) {
    test(`${path} may: ${code.split('\n')[0]}`, async () => {
      assert.deepEqual(await lintAs(path, code), []);
    });
  }
});
