import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { createServer } from 'node:net';
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';

/** Fake static credentials: moto accepts any, and the SDK must never look for real ones. */
export const FAKE_CREDENTIALS = { accessKeyId: 'AKIAAEMMTESTFAKE0000', secretAccessKey: 'aemm-test-secret-not-real' };

/** A moto server in server mode on a loopback port. */
export interface Moto {
  /** `http://127.0.0.1:PORT` */
  endpoint: string;
  port: number;
  /** An SQS client of our own tests, pointed at moto with fake credentials. */
  sqs: SQSClient;
  /** Creates a queue and returns its URL. */
  createQueue(name: string): Promise<string>;
  /** Receives up to `max` messages (waiting at most `waitSeconds`), deleting what it returns. */
  receive(queueUrl: string, max?: number, waitSeconds?: number): Promise<Message[]>;
  /** Receives until `count` messages arrived or `timeoutMs` passed. */
  receiveCount(queueUrl: string, count: number, timeoutMs?: number): Promise<Message[]>;
  stop(): Promise<void>;
}

/**
 * Whether `moto_server` is on PATH; when it is not, the reason to skip (locally) or fail (under CI).
 * It looks the file up instead of running it: Python loading moto costs half a second of CPU, and
 * a moto that is there but broken fails in startMoto all the same.
 */
export function findMoto(): string | undefined {
  const found = (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir || '.', 'moto_server'), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  return found ? undefined : 'moto_server is not installed (pip install "moto[server]")';
}

/** A free TCP port on 127.0.0.1 (closed again at once, so a server can take it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilUp(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode} before it answered`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`moto_server did not answer on ${endpoint} within ${timeoutMs} ms`);
}

/** Starts `moto_server` on a free loopback port and waits until it answers. */
export async function startMoto(port?: number): Promise<Moto> {
  const chosen = port ?? (await freePort());
  const endpoint = `http://127.0.0.1:${chosen}`;
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(chosen)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  try {
    await waitUntilUp(endpoint, child, 60_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }
  const sqs = new SQSClient({ endpoint, region: 'us-east-1', credentials: FAKE_CREDENTIALS, maxAttempts: 1 });
  const receive = async (queueUrl: string, max = 10, waitSeconds = 0): Promise<Message[]> => {
    const output = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: max, WaitTimeSeconds: waitSeconds }),
    );
    for (const message of output.Messages ?? [])
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
    return output.Messages ?? [];
  };
  return {
    endpoint,
    port: chosen,
    sqs,
    async createQueue(name) {
      const output = await sqs.send(new CreateQueueCommand({ QueueName: name }));
      return output.QueueUrl!;
    },
    receive,
    async receiveCount(queueUrl, count, timeoutMs = 10_000) {
      const messages: Message[] = [];
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count && Date.now() < deadline) {
        messages.push(...(await receive(queueUrl, Math.min(10, count - messages.length), 0)));
        if (messages.length < count) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return messages;
    },
    stop() {
      sqs.destroy();
      if (child.exitCode !== null) return Promise.resolve();
      return new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    },
  };
}
