import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Path of the built CLI entry (`npm test` builds dist before running tests). */
export const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url));

/** Outcome of a CLI run that finished. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `aemm` CLI to completion with colour off. */
export function runCli(args: string[], env: Record<string, string> = {}, bin = BIN): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A long-running CLI child (a server) and the URL it printed. */
export interface CliServer {
  child: ChildProcess;
  url: string;
  output: () => string;
  /** Sends a signal and resolves with the exit code and everything printed. */
  stop(signal?: NodeJS.Signals): Promise<CliResult>;
}

/** Starts a server command and waits until it prints a loopback URL. */
export function startCliServer(args: string[], env: Record<string, string> = {}, bin = BIN): Promise<CliServer> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let started = false;
    const closed = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no URL printed within 10 s: ${stdout}${stderr}`));
    }, 10_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /http:\/\/(?:127\.0\.0\.1|\[::1\]):\d+/.exec(stdout);
      if (match && !started) {
        started = true;
        clearTimeout(timer);
        resolve({
          child,
          url: match[0],
          output: () => stdout,
          async stop(signal = 'SIGINT') {
            child.kill(signal);
            const code = await closed;
            return { code, stdout, stderr };
          },
        });
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    void closed.then((code) => {
      if (!started) {
        clearTimeout(timer);
        reject(new Error(`exited with ${code} before printing a URL: ${stdout}${stderr}`));
      }
    });
  });
}
