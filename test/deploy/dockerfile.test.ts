import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { send } from '../helpers/http.js';
import { findGoTool, HELM } from '../helpers/go-tool.js';
import { getContainer, listWorkloads, renderChart, toProcessEnv } from './render-chart.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const helm = findGoTool(HELM);

/** The instructions of each stage of a Dockerfile, continuation lines joined, comments dropped. */
function readStages(text: string): { instruction: string; rest: string }[][] {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages: { instruction: string; rest: string }[][] = [];
  for (const line of lines) {
    const item = { instruction: line.split(/\s+/)[0]!.toUpperCase(), rest: line.slice(line.indexOf(' ') + 1).trim() };
    if (item.instruction === 'FROM') stages.push([]);
    stages.at(-1)?.push(item);
  }
  return stages;
}

/** The files a COPY source names in the repository: itself, or for a wildcard in its last part the files it matches, as Docker does. */
function expandSource(inRepo: string): string[] {
  const name = inRepo.split('/').at(-1)!;
  if (!name.includes('*')) return [inRepo];
  const dir = dirname(inRepo);
  const pattern = new RegExp(
    `^${name
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^/]*')}$`,
  );
  return readdirSync(join(ROOT, dir))
    .filter((file) => pattern.test(file))
    .sort()
    .map((file) => join(dir, file));
}

test(
  "the image's final stage runs read-only as uid 1000 with the chart's env, and serves on its port",
  { skip: 'missing' in helm && !process.env.CI ? `skipped: ${(helm as { missing: string }).missing}` : false, timeout: 120_000 },
  async () => {
    if ('missing' in helm) assert.fail(helm.missing);
    const stages = readStages(readFileSync(join(ROOT, 'deploy/Dockerfile'), 'utf8'));
    const stage = stages.at(-1)!.slice(1);
    // What the test stages below is what `npm run build` made here (npm test builds first).
    assert.ok(
      stages[0]!.some((item) => item.instruction === 'RUN' && /\bnpm run build\b/.test(item.rest)),
      "the build stage runs npm run build, so the image has the bins' bundles",
    );
    const last = (name: string): string | undefined => stage.filter((item) => item.instruction === name).at(-1)?.rest;
    assert.equal(last('USER'), '1000:1000');
    assert.deepEqual(JSON.parse(last('ENTRYPOINT')!), ['ec2-metadata-mock']);
    assert.equal(last('CMD'), undefined, "the pod's args are the command line, as with AEMM's image");
    assert.equal(last('EXPOSE'), '1338');
    const workdir = last('WORKDIR')!;
    const env = Object.fromEntries(
      stage
        .filter((item) => item.instruction === 'ENV')
        .flatMap((item) => item.rest.split(/\s+/).map((pair) => pair.split('=') as [string, string])),
    );

    // Stage the final image's files as its COPY and RUN lines lay them out, under a temporary root.
    const root = mkdtempSync(join(tmpdir(), 'aemm-image-'));
    try {
      const inRoot = (path: string): string => join(root, path.startsWith('/') ? path : join(workdir, path));
      for (const item of stage.filter((entry) => entry.instruction === 'COPY')) {
        const [from, source, target] = item.rest.split(/\s+/);
        assert.equal(from, '--from=build', `only files from the build stage: ${item.rest}`);
        const inRepo = relative('/src', source!);
        // The drop-in's bundle imports only Node's own modules, so the image carries no node_modules.
        assert.ok(!inRepo.split('/').includes('node_modules'), `the image needs no node_modules: ${item.rest}`);
        const files = expandSource(inRepo);
        assert.ok(files.length > 0, `${source} matches no file of the build (npm run build first)`);
        for (const file of files) {
          // As in Docker, a target ending in / is the folder the sources go into.
          const into = target!.endsWith('/') ? inRoot(join(target!, basename(file))) : inRoot(target!);
          mkdirSync(dirname(into), { recursive: true });
          cpSync(join(ROOT, file), into, { recursive: true });
        }
      }
      for (const item of stage.filter((entry) => entry.instruction === 'RUN')) {
        // Only the symlink matters here; the rest of the line removes npm from the base image.
        const link = /ln -s (\S+) (\S+)/.exec(item.rest);
        assert.ok(link, `a RUN line the test does not know: ${item.rest}`);
        mkdirSync(dirname(inRoot(link[2]!)), { recursive: true });
        symlinkSync(inRoot(link[1]!), inRoot(link[2]!));
      }
      mkdirSync(inRoot(env.HOME!), { recursive: true });
      // Readable by uid 1000, writable by nobody but root (a read-only root filesystem for the pod).
      execFileSync('chmod', ['-R', 'a+rX,a-w', root]);
      chmodSync(root, 0o555);

      const rendered = renderChart(helm.path, []);
      assert.ok(!('error' in rendered), 'error' in rendered ? rendered.error : '');
      const container = getContainer(listWorkloads(rendered.objects)[0]!);
      const processEnv = {
        PATH: `${inRoot('/usr/local/bin')}:${dirname(process.execPath)}:/usr/bin:/bin`,
        ...Object.fromEntries(Object.entries(env).map(([key, value]) => [key, value.startsWith('/') ? inRoot(value) : value])),
        ...toProcessEnv(container),
      };
      const child = spawn(JSON.parse(last('ENTRYPOINT')!)[0], [...(container.args ?? []), '-n', '127.0.0.1', '-p', '0'], {
        cwd: inRoot(workdir),
        env: processEnv,
        uid: 1000,
        gid: 1000,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the image did not start: ${stderr}`)), 20_000);
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          const match = / on port (\d+)\n/.exec(stderr);
          if (match) {
            clearTimeout(timer);
            resolve(Number(match[1]));
          }
        });
        child.on('exit', (code) => reject(new Error(`the image exited with ${code}: ${stderr}`)));
      });
      try {
        const answer = await send(`http://127.0.0.1:${port}`, '/latest/meta-data/instance-id');
        assert.equal(answer.status, 200);
        assert.equal(answer.text, 'i-1234567890abcdef0');
        assert.equal((await send(`http://127.0.0.1:${port}`, '/latest/meta-data/spot/instance-action')).status, 200);
      } finally {
        child.kill('SIGTERM');
      }
    } finally {
      execFileSync('chmod', ['-R', 'u+w', root]);
      rmSync(root, { recursive: true, force: true });
    }
  },
);
