// What the journal and path-match benches share: an `aemm replay` child process, and wrk (in a
// process of its own) as the load generator against it.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url));

/** A running `aemm replay` child and the URL it serves. */
export interface ReplayChild {
  process: ChildProcess;
  url: string;
}

/** Starts `aemm replay --port 0 --quiet` with extra arguments; resolves once it prints its URL. */
export function startReplayChild(args: string[]): Promise<ReplayChild> {
  const child = spawn(process.execPath, [BIN, 'replay', '--port', '0', '--quiet', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+/.exec(out);
      if (match) resolve({ process: child, url: match[0] });
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

/** Requests per second wrk gets from `url` in `seconds` over `connections`; any non-2xx answer or socket error throws. */
export async function measureWithWrk(url: string, seconds: number, connections: number, timeoutSeconds = 2): Promise<number> {
  const child = spawn('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, `--timeout`, `${timeoutSeconds}s`, url], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise((resolve, reject) => {
    child.on('error', () => reject(new Error('This bench needs wrk as its load generator: apt-get install wrk.')));
    child.on('exit', resolve);
  });
  if (code !== 0) throw new Error(`wrk exited ${String(code)}: ${out}`);
  if (/Non-2xx|Socket errors/.test(out)) throw new Error(`${url}: some answers were not 200: ${out}`);
  return Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? Number.NaN);
}
