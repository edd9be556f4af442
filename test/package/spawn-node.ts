import { spawn } from 'node:child_process';

/** What a finished child printed. */
export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The child's environment: ours with colour off, then `env`, where `undefined` removes a variable. */
function childEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const merged: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...env };
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete merged[name];
  return merged;
}

/** Runs `node ...args` with the given Node binary to completion, colour off. */
export function runNode(node: string, args: string[], cwd: string, env: Record<string, string | undefined> = {}): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, args, { cwd, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A running server child: the first stdout line that `ready` accepts, and a way to stop it. */
export interface Running {
  ready: RegExpExecArray;
  stop(): Promise<Finished>;
}

/** Starts `command ...args` and resolves once its stdout (or stderr) matches `ready` (rejects if it exits or 15 s pass first). */
export function startUntil(
  command: string,
  args: string[],
  cwd: string,
  ready: RegExp,
  env: Record<string, string | undefined> = {},
  stream: 'stdout' | 'stderr' = 'stdout',
): Promise<Running> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let started = false;
    const closed = new Promise<number | null>((done) => child.on('close', done));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} printed nothing matching ${ready} within 15 s:\n${stdout}${stderr}`));
    }, 15_000);
    const check = (): void => {
      const match = started ? null : ready.exec(stream === 'stdout' ? stdout : stderr);
      if (!match) return;
      started = true;
      clearTimeout(timer);
      resolve({
        ready: match,
        async stop() {
          child.kill('SIGINT');
          return { code: await closed, stdout, stderr };
        },
      });
    };
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      check();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      check();
    });
    void closed.then((code) => {
      if (started) return;
      clearTimeout(timer);
      reject(new Error(`${command} ${args.join(' ')} exited with ${code} before it was ready:\n${stdout}${stderr}`));
    });
  });
}
