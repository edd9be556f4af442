#!/usr/bin/env node
// Writes oclif.manifest.json for the built commands in dist/: the flags, args and help of every
// command, which oclif reads at start-up instead of importing each command module.
import { Plugin } from '@oclif/core';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const plugin = new Plugin({ root, isRoot: true, type: 'core', ignoreManifest: true, errorOnManifestCreate: true, respectNoCacheDefault: true });
await plugin.load();
const count = Object.keys(plugin.manifest.commands).length;
if (count === 0) {
  console.error('No commands found in dist/commands: run the build first.');
  process.exit(1);
}
writeFileSync(join(root, 'oclif.manifest.json'), `${JSON.stringify(plugin.manifest, null, 2)}\n`);
console.error(`oclif.manifest.json: ${count} commands, version ${plugin.manifest.version}`);
