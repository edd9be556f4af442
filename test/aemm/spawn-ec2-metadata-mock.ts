import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runAemm as runAemmInProcess } from '../../src/aemm/run-aemm.js';

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
  url: string;
  port: number;
  /** Everything printed so far. */
  output(): { stdout: string; stderr: string };
  /** Sends a signal (in this process: stops it as a signal would) and resolves once it exited. */
  stop(signal?: NodeJS.Signals): Promise<AemmRun>;
}

/**
 * Options for a run: environment (HOME and AEMM_* as a user's shell would set them), working
 * directory, and `bin` to run the built binary in a child process (a cwd implies it).
 */
export interface AemmSpawnOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  bin?: boolean;
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

/**
 * Runs `ec2-metadata-mock` to completion (help, version, bad input) in this process, with its own
 * streams and environment; with a `cwd` it runs the built binary, since a process has one.
 */
export async function runAemm(args: string[], options: AemmSpawnOptions = {}): Promise<AemmRun> {
  if (options.cwd !== undefined || options.bin) return spawnAemm(args, options);
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: environment(options.env),
    // Nothing here starts a server to completion; one that starts stops at once.
    stopped: () => Promise.resolve(),
  };
  try {
    return { code: await runAemmInProcess(args, io), stdout, stderr };
  } catch (error) {
    // What the bin would do with an error nobody caught: a stack trace and exit 1.
    return { code: 1, stdout, stderr: `${stderr}${(error as Error).stack}\n` };
  }
}

/** Runs the built binary to completion in a child process. */
function spawnAemm(args: string[], options: AemmSpawnOptions): Promise<AemmRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [AEMM_BIN_PATH, ...args], {
      env: environment(options.env),
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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

const STARTED = / on port (\d+)\n/;

/**
 * Starts `ec2-metadata-mock` in this process and resolves once it logged `Initiating … on port N`
 * (pass `-p 0 -n 127.0.0.1`); with `bin` or a `cwd`, the built binary in a child process.
 */
export function startAemm(args: string[], options: AemmSpawnOptions = {}): Promise<AemmProcess> {
  if (options.cwd !== undefined || options.bin) return spawnServer(args, options);
  let stdout = '';
  let stderr = '';
  let stop = (): void => {};
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  return new Promise((resolve, reject) => {
    let started = false;
    const io = {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: {
        write(text: string) {
          stderr += text;
          const match = STARTED.exec(stderr);
          if (!match || started) return;
          started = true;
          const port = Number(match[1]);
          resolve({
            port,
            url: `http://127.0.0.1:${port}`,
            output: () => ({ stdout, stderr }),
            async stop() {
              stop();
              return { code: await ended, stdout, stderr };
            },
          });
        },
      },
      env: environment(options.env),
      stopped: () => stopped,
    };
    const ended = runAemmInProcess(args, io).catch((error: unknown) => {
      stderr += `${(error as Error).stack}\n`;
      return 1;
    });
    void ended.then((code) => {
      if (!started) reject(new Error(`ec2-metadata-mock exited with ${code} before starting: ${stdout}${stderr}`));
    });
  });
}

/** Starts the built binary in a child process. */
function spawnServer(args: string[], options: AemmSpawnOptions): Promise<AemmProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [AEMM_BIN_PATH, ...args], {
      env: environment(options.env),
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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
      const match = STARTED.exec(stderr);
      if (!match || started) return;
      started = true;
      clearTimeout(timer);
      const port = Number(match[1]);
      resolve({
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
