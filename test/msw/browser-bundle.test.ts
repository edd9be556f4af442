import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { gzipSync } from 'node:zlib';
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
  assert.ok(
    builtins.some((name) => name.startsWith('node:fs')),
    builtins.join(', '),
  );
});

test('the README states the browser bundle size that esbuild really produces (msw itself not counted)', async (context) => {
  const result = await build({
    absWorkingDir: root,
    entryPoints: ['src/msw/index.ts'],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    logLevel: 'silent',
    minify: true,
    external: ['msw'],
  });
  const bytes = result.outputFiles[0]!.contents;
  const minified = bytes.length / 1024;
  const gzipped = gzipSync(bytes).length / 1024;
  context.diagnostic(`ec2-imds-replay/msw for the browser: ${minified.toFixed(1)} kB minified, ${gzipped.toFixed(1)} kB gzipped`);
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const claim = /bundles for the\s+browser \((\d+) kB minified, (\d+) kB gzipped, with the recording; msw not counted\)/.exec(readme);
  assert.ok(claim, 'the README states the bundle size');
  // Within 15 %: small changes pass, a stale figure does not.
  assert.ok(
    Math.abs(Number(claim[1]) - minified) / minified < 0.15,
    `README says ${claim[1]} kB minified, esbuild makes ${minified.toFixed(1)} kB`,
  );
  assert.ok(
    Math.abs(Number(claim[2]) - gzipped) / gzipped < 0.15,
    `README says ${claim[2]} kB gzipped, esbuild makes ${gzipped.toFixed(1)} kB`,
  );
});
