import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** One of the two programs compared: the command that starts it. */
export interface Side {
  name: 'aemm' | 'ours';
  command: string;
  prefix: string[];
}

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
}

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AEMM_')));
  return { ...base, TZ: 'UTC', NO_COLOR: '1', ...extra };
}

function launch(side: Side, args: readonly string[], env: Record<string, string>, cwd: string) {
  const child = spawn(side.command, [...side.prefix, ...args], { env: cleanEnv(env), cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (out.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out.stderr += chunk.toString()));
  children.add(child);
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code))).finally(() => children.delete(child));
  return { child, out, closed };
}

/** Runs a side to its end (help, version, bad input), stopping it after `timeoutMs` if it serves instead (long enough for a start on a loaded machine). */
export async function runSide(
  side: Side,
  args: readonly string[],
  env: Record<string, string>,
  cwd: string,
  timeoutMs = 20_000,
): Promise<SideRun> {
  const { child, out, closed } = launch(side, args, env, cwd);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await closed;
  clearTimeout(timer);
  const stillRunning = child.signalCode === 'SIGKILL';
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
  const { child, out, closed } = launch(side, args, env, cwd);
  let exited: number | null | undefined;
  void closed.then((code) => (exited = code));
  const deadline = Date.now() + 10_000;
  while (!(await canConnect(port))) {
    if (exited !== undefined) return { code: exited, stillRunning: false, ...out };
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${side.name} did not serve on port ${port} within 10 s: ${out.stdout}${out.stderr}`);
    }
    await sleep(25);
  }
  return {
    port,
    output: () => ({ ...out }),
    async stop() {
      if (exited === undefined) child.kill('SIGTERM');
      // AEMM ends at once on SIGTERM: a side that does not fails here, in seconds, not at the file's timeout.
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      const code = await closed;
      clearTimeout(timer);
      if (child.signalCode === 'SIGKILL')
        throw new Error(`${side.name} did not exit within 5 s of SIGTERM: ${out.stdout}${out.stderr}`.slice(0, 2000));
      return { code, stillRunning: false, ...out };
    },
  };
}
