#!/usr/bin/env node
// The AEMM drop-in: `ec2-metadata-mock` with amazon-ec2-metadata-mock v1.12's flags, env and output.
// It runs from its bundle in dist/bundle/ (see bin/run.js) unless tsc alone rebuilt dist/ since.
import { statSync } from 'node:fs';

const bundle = '../dist/bundle/ec2-metadata-mock.js';
const built = (path) => statSync(new URL(path, import.meta.url), { throwIfNoEntry: false })?.mtimeMs ?? -1;
// An installed package's mtimes are those of its unpacking, so only a work tree compares them.
const fresh = built(bundle) >= (built('../tsconfig.json') < 0 ? 0 : built('../dist/index.js'));
// On Node 22.1 and later, V8 keeps what it compiles of the bins in this user's cache folder.
const { enableCompileCache } = await import(fresh ? '../dist/bundle/compile-cache.js' : '../dist/cli/compile-cache.js');
enableCompileCache();
if (fresh) await import(bundle);
else process.exitCode = await (await import('../dist/aemm/run-aemm.js')).runAemm(process.argv.slice(2));
