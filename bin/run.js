#!/usr/bin/env node
// The aemm CLI. `npm run build` and `npm pack` bundle it into dist/bundle/ (scripts/bundle-bins.js),
// which starts in a fraction of the time oclif's file-based discovery takes; a work tree whose
// dist/ was rebuilt by tsc alone runs the modules in dist/ through oclif instead.
import { statSync } from 'node:fs';

const bundle = '../dist/bundle/aemm.js';
const built = (path) => statSync(new URL(path, import.meta.url), { throwIfNoEntry: false })?.mtimeMs ?? -1;
// An installed package's mtimes are those of its unpacking, so only a work tree compares them.
const fresh = built(bundle) >= (built('../tsconfig.json') < 0 ? 0 : built('../dist/index.js'));
// On Node 22.1 and later, V8 keeps what it compiles of the bins in this user's cache folder.
const { enableCompileCache } = await import(fresh ? '../dist/bundle/compile-cache.js' : '../dist/cli/compile-cache.js');
enableCompileCache();
if (fresh) await import(bundle);
else await (await import('@oclif/core')).execute({ dir: import.meta.url });
