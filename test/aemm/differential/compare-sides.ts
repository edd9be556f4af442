import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ExitCase, ServeCase, Step } from './cases.js';
import { normaliseOutput, normaliseResponse } from './normalise.js';
import { findFreePort, runSide, startSide, type RunningSide, type Side, type SideRun } from './run-side.js';
import { sendRaw, type WireResponse } from './send-raw.js';

/** One thing compared: the same request or run on both sides, each normalised to text. */
export interface Comparison {
  id: string;
  aemm: string;
  ours: string;
}

/** Where each side runs: its own HOME (also its working folder) and port. */
interface Place {
  side: Side;
  home: string;
  port: number;
}

async function prepare(root: string, index: number, sides: readonly Side[], files: Record<string, unknown> = {}): Promise<Place[]> {
  return Promise.all(
    sides.map(async (side) => {
      const home = join(root, `case-${index}`, side.name);
      await mkdir(home, { recursive: true });
      for (const [name, content] of Object.entries(files)) {
        await mkdir(dirname(join(home, name)), { recursive: true });
        await writeFile(join(home, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
      }
      return { side, home, port: await findFreePort() };
    }),
  );
}

const fill = (text: string, place: Place): string => text.replaceAll('{home}', place.home).replaceAll('{port}', String(place.port));
const fillEnv = (env: Record<string, string> = {}, place: Place): Record<string, string> => ({
  HOME: place.home,
  ...Object.fromEntries(Object.entries(env).map(([key, value]) => [key, fill(value, place)])),
});

function toRequest(step: Extract<Step, { path: string }>, tokens: Map<string, string>): string {
  const headers: Record<string, string> = { Host: '127.0.0.1', 'User-Agent': 'aemm-differential', ...step.headers };
  if (step.useToken) headers['X-aws-ec2-metadata-token'] = tokens.get(step.useToken) ?? '(no token saved)';
  if (step.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(step.body));
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  return `${step.method ?? 'GET'} ${step.path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n${step.body ?? ''}`;
}

// AEMM's tree has about 150 paths; a listing that names itself must not walk for ever.
const MAX_CRAWL = 1000;

/** Lists every path AEMM serves by walking its listings from `/` (lines ending in `/` are folders). */
async function crawl(port: number): Promise<string[]> {
  const folders = new Set(['/', '/latest', '/latest/meta-data', '/latest/dynamic']);
  const found: string[] = [];
  const queue = ['/'];
  while (queue.length > 0) {
    if (found.length >= MAX_CRAWL) throw new Error(`the crawl of port ${port} passed ${MAX_CRAWL} paths: a listing names itself`);
    const path = queue.shift()!;
    found.push(path);
    if (!folders.has(path) && !path.endsWith('/')) continue;
    const response = await sendRaw(port, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    if (!response.statusLine.includes(' 200 ')) continue;
    const base = path.endsWith('/') ? path : `${path}/`;
    for (const line of response.body.toString('utf8').split('\n').filter(Boolean)) {
      const child = line.includes('=') ? `${line.slice(0, line.indexOf('='))}/` : line;
      const full = `${base}${child}`;
      if (!found.includes(full) && !queue.includes(full)) queue.push(full);
    }
  }
  return found;
}

/** The sides' output once it stopped changing for a quarter of a second (at most 3 s). */
async function settle(sides: readonly { output(): { stdout: string; stderr: string } }[]): Promise<{ stdout: string; stderr: string }[]> {
  let last = JSON.stringify(sides.map((side) => side.output()));
  for (let waited = 0; waited < 3000; waited += 250) {
    await sleep(250);
    const now = JSON.stringify(sides.map((side) => side.output()));
    if (now === last) break;
    last = now;
  }
  return sides.map((side) => side.output());
}

async function exchange(place: Place, step: Step, tokens: Map<string, string>): Promise<WireResponse | undefined> {
  if ('sleepMs' in step) return undefined;
  if ('raw' in step) return sendRaw(place.port, step.raw);
  const response = await sendRaw(place.port, toRequest(step, tokens), { head: step.method === 'HEAD' });
  if (step.saveToken && response.statusLine.includes(' 200 ')) tokens.set(step.saveToken, response.body.toString('latin1'));
  return response;
}

/** Serves one case on both sides at once and compares start-up output and every step's response. */
export async function compareServeCase(
  root: string,
  index: number,
  sides: readonly [Side, Side],
  testCase: ServeCase,
): Promise<Comparison[]> {
  const places = await prepare(root, index, sides, testCase.files);
  const now = Date.now();
  const start = (place: Place) =>
    startSide(
      place.side,
      ['-n', '127.0.0.1', '-p', String(place.port), ...testCase.args.map((arg) => fill(arg, place))],
      fillEnv(testCase.env, place),
      place.home,
      place.port,
    );
  // Ours first, then AEMM (which starts in milliseconds), so both delays run from about the same instant.
  const oursStarted = await start(places[1]!);
  const started = [await start(places[0]!), oursStarted];
  const running = started.filter((side): side is RunningSide => 'port' in side);
  const comparisons: Comparison[] = [];
  if (running.length < 2) {
    // A side that did not serve: its exit is the comparison, and there is nothing to send requests to.
    await Promise.all(running.map((side) => side.stop()));
    const ends = started.map((side, i) =>
      'port' in side
        ? 'serving'
        : normaliseOutput(`exit: ${side.code}\nstdout:\n${side.stdout}\nstderr:\n${side.stderr}`, {
            ...places[i]!,
            cwd: places[i]!.home,
            now,
          }),
    );
    return [{ id: `${testCase.name} › start-up output`, aemm: ends[0]!, ours: ends[1]! }];
  }
  try {
    // Start-up output settles right after the listener opens; request logs come later and are not compared.
    const outputs = await settle(running);
    const startup = outputs.map((output, i) =>
      normaliseOutput(`stdout:\n${output.stdout}\nstderr:\n${output.stderr}`, { ...places[i]!, cwd: places[i]!.home, now }),
    );
    comparisons.push({ id: `${testCase.name} › start-up output`, aemm: startup[0]!, ours: startup[1]! });
    const steps = [...testCase.steps];
    if (testCase.crawl) {
      for (const path of await crawl(places[0]!.port)) {
        steps.push({ name: `GET ${path}`, path });
        if (path !== '/')
          steps.push({
            name: `GET ${path.endsWith('/') ? path.slice(0, -1) : `${path}/`}`,
            path: path.endsWith('/') ? path.slice(0, -1) : `${path}/`,
          });
      }
    }
    const tokens = places.map(() => new Map<string, string>());
    for (const step of steps) {
      if ('sleepMs' in step) {
        await sleep(step.sleepMs);
        continue;
      }
      const responses = await Promise.all(places.map((place, i) => exchange(place, step, tokens[i]!)));
      const isTokenPut = 'path' in step && step.method === 'PUT';
      const texts = responses.map((response) => normaliseResponse(response!, { isTokenPut, now: Date.now() }));
      comparisons.push({ id: `${testCase.name} › ${step.name}`, aemm: texts[0]!, ours: texts[1]! });
    }
  } finally {
    await Promise.all(running.map((side) => side.stop()));
  }
  return comparisons;
}

/** Runs one case on both sides to its end and compares exit code, output and any files read back. */
export async function compareExitCase(
  root: string,
  index: number,
  sides: readonly [Side, Side],
  testCase: ExitCase,
): Promise<Comparison[]> {
  const places = await prepare(root, index, sides, testCase.files);
  const now = Date.now();
  // A run given its port (-s, and bad input that one side may serve with) can serve: it ends, or it
  // is stopped once it serves and its start-up output has settled. Others run to their end.
  const mayServe = testCase.args.includes('{port}');
  const runs = await Promise.all(
    places.map(async (place): Promise<SideRun> => {
      const args = testCase.args.map((arg) => fill(arg, place));
      if (!mayServe) return runSide(place.side, args, fillEnv(testCase.env, place), place.home);
      const started = await startSide(place.side, args, fillEnv(testCase.env, place), place.home, place.port);
      if (!('port' in started)) return started;
      await settle([started]);
      return { ...(await started.stop()), code: null, stillRunning: true };
    }),
  );
  const describe = async (i: number): Promise<string> => {
    const run = runs[i]!;
    const place = places[i]!;
    const context = { port: place.port, home: place.home, cwd: place.home, now };
    const files = await Promise.all(
      (testCase.readBack ?? []).map(
        async (name) =>
          `file ${name}:\n${normaliseOutput(await readFile(join(place.home, name), 'utf8').catch(() => '(missing)'), context)}`,
      ),
    );
    return [
      `exit: ${run.stillRunning ? 'still serving (stopped)' : run.code}`,
      `stdout:\n${normaliseOutput(run.stdout, context)}`,
      `stderr:\n${normaliseOutput(run.stderr, context)}`,
      ...files,
    ].join('\n');
  };
  return [{ id: testCase.name, aemm: await describe(0), ours: await describe(1) }];
}
