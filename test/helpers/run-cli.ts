import { AsyncLocalStorage } from 'node:async_hooks';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Config, Errors, type Command } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';

/** Path of the built CLI entry (`node test/run.js` builds dist before running tests). */
export const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Outcome of a CLI run that finished. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A long-running CLI (a server) and the URL it printed. */
export interface CliServer {
  url: string;
  output: () => string;
  /** Sends a signal and resolves with the exit code and everything printed. */
  stop(signal?: NodeJS.Signals): Promise<CliResult>;
}

interface Capture {
  stdout: string;
  stderr: string;
  /** What the command set with setExitCode, kept per run: process.exitCode is one for every run at once. */
  exitCode?: number;
  onWrite?: () => void;
}

// Output is captured per run by async context, so what the test runner itself writes to stdout
// (its reports) and what other code prints still go out unchanged.
const captures = new AsyncLocalStorage<Capture>();
for (const name of ['stdout', 'stderr'] as const) {
  const stream = process[name];
  const original = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    const capture = captures.getStore();
    if (!capture) return original(chunk, ...rest);
    capture[name] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    capture.onWrite?.();
    const done = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    done?.();
    return true;
  }) as typeof stream.write;
}

// Runs overlap (concurrent tests, or test files sharing a process), so a run's exit code goes to
// its own capture instead of process.exitCode, which another run could read or clear.
(BaseCommand.prototype as unknown as { setExitCode(code: number): void }).setExitCode = (code: number): void => {
  const capture = captures.getStore();
  if (capture) capture.exitCode = code;
  else process.exitCode = code;
};

const COMMANDS = join(ROOT, 'src', 'commands');
type CommandClass = Command.Class & { aliases?: string[]; hiddenAliases?: string[] };

let loaded: Promise<{ config: Config; commands: Map<string, [string, CommandClass]> }> | undefined;

/** The package's oclif config, and every command class from src/ by id and alias (`a:b` for `src/commands/a/b.ts`). */
function loadCli(): NonNullable<typeof loaded> {
  loaded ??= (async () => {
    const files = readdirSync(COMMANDS, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'));
    const commands = new Map<string, [string, CommandClass]>();
    for (const file of files) {
      const id = relative(COMMANDS, join(COMMANDS, file)).replace(/\.ts$/, '').split(/[\\/]/).join(':');
      const command = ((await import(pathToFileURL(join(COMMANDS, file)).href)) as { default: CommandClass }).default;
      for (const name of [id, ...(command.aliases ?? []), ...(command.hiddenAliases ?? [])]) commands.set(name, [id, command]);
    }
    return { config: await Config.load({ root: ROOT }), commands };
  })();
  return loaded;
}

/** Sets variables for one run and returns how to put them back. */
function applyEnv(env: Record<string, string>): () => void {
  const saved = Object.entries(env).map(([key]) => [key, process.env[key]] as const);
  Object.assign(process.env, env);
  return () => {
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}

/**
 * Runs the command from src/ in this process and settles with its exit code, as the bin's error
 * handler would set it. Topics are spelled as separate words (`aemm recordings list`).
 */
async function runInProcess(args: readonly string[], capture: Capture): Promise<number> {
  const { config, commands } = await loadCli();
  let words = args.findIndex((arg) => arg.startsWith('-'));
  if (words < 0) words = args.length;
  while (words > 0 && !commands.has(args.slice(0, words).join(':'))) words -= 1;
  const found = commands.get(args.slice(0, words).join(':'));
  if (!found) throw new Error(`No command for ${JSON.stringify(args)} in src/commands; use runBin for the bin's own help and errors.`);
  const [id, command] = found;
  return captures.run(capture, async () => {
    try {
      command.id = id;
      await command.run(args.slice(words), config);
      return capture.exitCode ?? 0;
    } catch (error) {
      const exit = (error as { oclif?: { exit?: number } }).oclif?.exit;
      if (!(error instanceof Errors.ExitError))
        process.stderr.write(`${error instanceof Errors.CLIError ? `Error: ${error.message}` : (error as Error).stack}\n`);
      return exit ?? 1;
    }
  });
}

/** Runs the `aemm` CLI to completion in this process with colour off (flags, output and exit code as the bin's). */
export async function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const restore = applyEnv({ NO_COLOR: '1', ...env });
  const capture: Capture = { stdout: '', stderr: '' };
  try {
    const code = await runInProcess(args, capture);
    return { code, stdout: capture.stdout, stderr: capture.stderr };
  } finally {
    restore();
  }
}

/** Runs `aemm` in this process, and sends it `signal` (as Ctrl-C would) once `when()` holds. */
export async function runCliUntil(args: string[], when: () => boolean, signal: NodeJS.Signals = 'SIGINT'): Promise<CliResult> {
  const restore = applyEnv({ NO_COLOR: '1' });
  const capture: Capture = { stdout: '', stderr: '' };
  const poll = setInterval(() => {
    if (!when()) return;
    clearInterval(poll);
    process.emit(signal);
  }, 5);
  try {
    const code = await runInProcess(args, capture);
    return { code, stdout: capture.stdout, stderr: capture.stderr };
  } finally {
    clearInterval(poll);
    restore();
  }
}

const URL_PATTERN = /http:\/\/(?:127\.0\.0\.1|\[::1\]):\d+/;

/** Starts a server command in this process and waits until it prints a loopback URL. */
export function startCliServer(args: string[], env: Record<string, string> = {}): Promise<CliServer> {
  const restore = applyEnv({ NO_COLOR: '1', ...env });
  const capture: Capture = { stdout: '', stderr: '' };
  return new Promise((resolve, reject) => {
    let started = false;
    const timer = setTimeout(() => {
      if (started) return;
      started = true;
      process.emit('SIGTERM');
      reject(new Error(`no URL printed within 10 s: ${capture.stdout}${capture.stderr}`));
    }, 10_000);
    const ended = runInProcess(args, capture).finally(restore);
    capture.onWrite = () => {
      const match = URL_PATTERN.exec(capture.stdout);
      if (!match || started) return;
      started = true;
      clearTimeout(timer);
      resolve({
        url: match[0],
        output: () => capture.stdout,
        async stop(signal = 'SIGINT') {
          process.emit(signal);
          const code = await ended;
          return { code, stdout: capture.stdout, stderr: capture.stderr };
        },
      });
    };
    void ended.then((code) => {
      if (started) return;
      started = true;
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before printing a URL: ${capture.stdout}${capture.stderr}`));
    });
  });
}

/** Runs the built bin in a child process: for the few tests that prove the shipped `aemm` itself. */
export function runBin(args: string[], env: Record<string, string | undefined> = {}, bin = BIN): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    for (const [key, value] of Object.entries(env)) {
      if (value === undefined) delete childEnv[key];
      else childEnv[key] = value;
    }
    const child = spawn(process.execPath, [bin, ...args], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A server started from the built bin, in a child process. */
export interface BinServer extends CliServer {
  child: ChildProcess;
}

/** Starts the built bin as a child process and waits until it prints a loopback URL. */
export function startBinServer(args: string[], env: Record<string, string> = {}, bin = BIN): Promise<BinServer> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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
      const match = URL_PATTERN.exec(stdout);
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
