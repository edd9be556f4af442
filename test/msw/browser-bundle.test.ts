import assert from 'node:assert/strict';
import { isBuiltin } from 'node:module';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { defaultCassette } from '../../src/msw/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Bundles an entry for the browser and returns the Node builtins it tried to import. */
async function bundleForBrowser(entry: string): Promise<{ builtins: string[]; code: string }> {
  const builtins: string[] = [];
  const recordBuiltins: Plugin = {
    name: 'record-node-builtins',
    setup(builder) {
      builder.onResolve({ filter: /.*/ }, (args) => {
        if (!isBuiltin(args.path)) return undefined;
        builtins.push(`${args.path} (from ${args.importer.replace(root, '')})`);
        return { path: args.path, external: true };
      });
    },
  };
  const result = await build({
    absWorkingDir: root,
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    logLevel: 'silent',
    plugins: [recordBuiltins],
  });
  return { builtins, code: result.outputFiles[0]!.text };
}

test('ec2-imds-replay/msw (src/msw/index.ts) bundles for the browser without any Node builtin', async () => {
  const { builtins, code } = await bundleForBrowser('src/msw/index.ts');
  assert.deepEqual(builtins, []);
  // The embedded recording travels inside the bundle.
  assert.ok(code.includes(defaultCassette.entries['/latest/meta-data/instance-id']!.body!));
});

test('the Node entry ec2-imds-replay/msw/node does pull node builtins, so the check above can tell', async () => {
  const { builtins } = await bundleForBrowser('src/msw/node.ts');
  assert.ok(builtins.some((name) => name.startsWith('node:fs')), builtins.join(', '));
});
