import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** Where a run of ours writes, what it sees, and when a server of ours stops (runAemm's io). */
interface InProcessIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Readonly<Record<string, string | undefined>>;
  stopped: () => Promise<void>;
}

/**
 * One of the two programs compared: the command that starts it, or (ours only) the drop-in's own
 * entry point run in this process, with the env, arguments and HOME the child would get.
 */
export type Side =
  | { name: 'aemm' | 'ours'; command: string; prefix: string[] }
  | { name: 'ours'; inProcess: (args: readonly string[], io: InProcessIo) => Promise<number> };

/** How a run ended: exit code (null when it was still running and was stopped), output. */
export interface SideRun {
  code: number | null;
  stillRunning: boolean;
  stdout: string;
  stderr: string;
}

/** A running side: the port it serves and a way to stop it and collect its output. */
export interface RunningSide {
  port: number;
  /** What it printed so far. */
  output(): { stdout: string; stderr: string };
  stop(): Promise<SideRun>;
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

// Ports below Linux's ephemeral range (32768 and up): the kernel never hands these out for a
// `port 0` listener or an outgoing connection, so between this check and the side's own bind no
// other test's server or client socket can take the port, and a request cannot reach another
// case's server. Each process starts at a random place, so two files rarely try the same port.
const LOW_PORT = 20_000;
const HIGH_PORT = 32_000;
let nextPort = LOW_PORT + Math.floor(Math.random() * (HIGH_PORT - LOW_PORT));

/** A free loopback port outside the ephemeral range (AEMM has no `-p 0`, so both sides get one picked here). */
export async function findFreePort(): Promise<number> {
  for (let tries = 0; tries < 500; tries++) {
    const port = nextPort;
    nextPort = nextPort + 1 >= HIGH_PORT ? LOW_PORT : nextPort + 1;
    if (await canBind(port)) return port;
  }
  throw new Error(`no free loopback port between ${LOW_PORT} and ${HIGH_PORT}`);
}

// Every side still running, so that a case past its deadline can stop them and its test file end.
const children = new Set<ChildProcess>();

/** Kills every side still running (a case that hung): the test fails with its name instead of the file hanging. */
export function killAllSides(): void {
  for (const child of children) child.kill('SIGKILL');
  for (const kill of running) kill();
}

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AEMM_')));
  return { ...base, TZ: 'UTC', NO_COLOR: '1', ...extra };
}

/** A run in either kind of side: its output so far, how it ended, and how to stop it (`force`: as SIGKILL would). */
interface Launched {
  out: { stdout: string; stderr: string };
  closed: Promise<number | null>;
  stop(force: boolean): void;
  /** Whether the last stop was forced. */
  killed(): boolean;
}

function launch(side: Side, args: readonly string[], env: Record<string, string>, cwd: string): Launched {
  if ('inProcess' in side) return launchInProcess(side.inProcess, args, env);
  const child = spawn(side.command, [...side.prefix, ...args], { env: cleanEnv(env), cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (out.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out.stderr += chunk.toString()));
  children.add(child);
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code))).finally(() => children.delete(child));
  return {
    out,
    closed,
    stop: (force) => child.kill(force ? 'SIGKILL' : 'SIGTERM'),
    killed: () => child.signalCode === 'SIGKILL',
  };
}

// Every in-process run still going, for killAllSides.
const running = new Set<() => void>();

/**
 * Runs ours in this process. A stop is what SIGTERM does to the bin: the server closes and the run
 * ends with the code the bin would exit with. A forced stop is SIGKILL's: the run counts as ended
 * at once (no code, the output so far), and its server is told to close meanwhile.
 */
function launchInProcess(
  run: (args: readonly string[], io: InProcessIo) => Promise<number>,
  args: readonly string[],
  env: Record<string, string>,
): Launched {
  const out = { stdout: '', stderr: '' };
  const io: InProcessIo = {
    stdout: { write: (text) => (out.stdout += text) },
    stderr: { write: (text) => (out.stderr += text) },
    env: cleanEnv(env),
    stopped: () => stopped,
  };
  // runAemm reads the time zone from the process, the bin from its TZ (UTC here for both sides).
  process.env.TZ = io.env.TZ;
  let stop = (): void => {};
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  let forced = false;
  let killed = (): void => {};
  const kill = (): void => {
    forced = true;
    stop();
    killed();
  };
  running.add(kill);
  const ended = run(args, io).catch((error: unknown) => {
    // What the bin does with an error nobody caught: a stack trace and exit 1.
    out.stderr += `${(error as Error).stack}\n`;
    return 1;
  });
  const closed = Promise.race([ended, new Promise<null>((resolve) => (killed = () => resolve(null)))]).finally(() => running.delete(kill));
  return { out, closed, stop: (force) => (force ? kill() : stop()), killed: () => forced };
}

/** Runs a side to its end (help, version, bad input), stopping it after `timeoutMs` if it serves instead (long enough for a start on a loaded machine). */
export async function runSide(
  side: Side,
  args: readonly string[],
  env: Record<string, string>,
  cwd: string,
  timeoutMs = 20_000,
): Promise<SideRun> {
  const launched = launch(side, args, env, cwd);
  const { out, closed } = launched;
  const timer = setTimeout(() => launched.stop(true), timeoutMs);
  const code = await closed;
  clearTimeout(timer);
  const stillRunning = launched.killed();
  return { code: stillRunning ? null : code, stillRunning, ...out };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Starts a side serving on `port` and resolves once it accepts connections, or with how it ended if it exited instead. */
export async function startSide(
  side: Side,
  args: readonly string[],
  env: Record<string, string>,
  cwd: string,
  port: number,
): Promise<RunningSide | SideRun> {
  const launched = launch(side, args, env, cwd);
  const { out, closed } = launched;
  let exited: number | null | undefined;
  void closed.then((code) => (exited = code));
  const deadline = Date.now() + 10_000;
  while (!(await canConnect(port))) {
    if (exited !== undefined) return { code: exited, stillRunning: false, ...out };
    if (Date.now() > deadline) {
      launched.stop(true);
      throw new Error(`${side.name} did not serve on port ${port} within 10 s: ${out.stdout}${out.stderr}`);
    }
    await sleep(25);
  }
  return {
    port,
    output: () => ({ ...out }),
    async stop() {
      if (exited === undefined) launched.stop(false);
      // AEMM ends at once on SIGTERM: a side that does not fails here, in seconds, not at the file's timeout.
      const timer = setTimeout(() => launched.stop(true), 5_000);
      const code = await closed;
      clearTimeout(timer);
      if (launched.killed()) throw new Error(`${side.name} did not exit within 5 s of SIGTERM: ${out.stdout}${out.stderr}`.slice(0, 2000));
      return { code, stillRunning: false, ...out };
    },
  };
}
