#!/usr/bin/env node
// Runs after `npm pack`: removes the manifest again, so a work tree never runs commands from a
// stale one (oclif prefers the manifest over the command modules).
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

rmSync(fileURLToPath(new URL('../oclif.manifest.json', import.meta.url)), { force: true });
