import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built drop-in binary (`node test/run.js` builds dist before the tests). */
export const AEMM_BIN_PATH = fileURLToPath(new URL('../../bin/ec2-metadata-mock.js', import.meta.url));

/** How a finished run ended and what it printed. */
export interface AemmRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A running `ec2-metadata-mock` and the loopback URL it serves on. */
export interface AemmProcess {
  child: ChildProcess;
  url: string;
  port: number;
  /** Everything printed so far. */
  output(): { stdout: string; stderr: string };
  /** Sends a signal and resolves once the process exited. */
  stop(signal?: NodeJS.Signals): Promise<AemmRun>;
}

/** Options for a run: environment (HOME and AEMM_* as a user's shell would set them) and working directory. */
export interface AemmSpawnOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
}

function environment(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  // A clean slate: no AEMM_* from the developer's shell leaks into a test.
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AEMM_')));
  const env: NodeJS.ProcessEnv = { ...base, NO_COLOR: '1', TZ: 'UTC' };
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** Runs the binary to completion (help, version, bad input). */
export function runAemm(args: string[], options: AemmSpawnOptions = {}): Promise<AemmRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [AEMM_BIN_PATH, ...args], { env: environment(options.env), cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts the binary and resolves once it logged `Initiating … on port N` (pass `-p 0 -n 127.0.0.1`). */
export function startAemm(args: string[], options: AemmSpawnOptions = {}): Promise<AemmProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [AEMM_BIN_PATH, ...args], { env: environment(options.env), cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let started = false;
    const closed = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ec2-metadata-mock did not start within 10 s: ${stdout}${stderr}`));
    }, 10_000);
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = / on port (\d+)\n/.exec(stderr);
      if (!match || started) return;
      started = true;
      clearTimeout(timer);
      const port = Number(match[1]);
      resolve({
        child,
        port,
        url: `http://127.0.0.1:${port}`,
        output: () => ({ stdout, stderr }),
        async stop(signal = 'SIGINT') {
          child.kill(signal);
          const code = await closed;
          return { code, stdout, stderr };
        },
      });
    });
    void closed.then((code) => {
      if (!started) {
        clearTimeout(timer);
        reject(new Error(`ec2-metadata-mock exited with ${code} before starting: ${stdout}${stderr}`));
      }
    });
  });
}
