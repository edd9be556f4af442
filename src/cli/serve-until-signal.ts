import { basename } from 'node:path';
import { DEFAULT_CASSETTE_PATH, loadCassette } from '../cassette/load-cassette.js';
import { startServer } from '../server/start-server.js';
import { colors } from './colors.js';
import { renderReplayBanner, renderRequestLine } from './render-replay.js';

/** What `aemm replay` was asked to do. */
export interface ReplayRequest {
  cassettePath?: string;
  port: number;
  hostname: string;
  imdsv2: boolean;
  quiet: boolean;
}

/** Starts the replay server, prints the banner and request log, and resolves after SIGINT/SIGTERM closed it. */
export async function serveUntilSignal(request: ReplayRequest): Promise<{ url: string; requests: number }> {
  const cassettePath = request.cassettePath ?? DEFAULT_CASSETTE_PATH;
  const cassette = await loadCassette(cassettePath);
  let requests = 0;
  const server = await startServer({
    cassette,
    port: request.port,
    hostname: request.hostname,
    imdsv2: request.imdsv2,
    onRequest: (log) => {
      requests++;
      if (!request.quiet) process.stdout.write(`${renderRequestLine(log, new Date())}\n`);
    },
  });
  const cassetteName = request.cassettePath ? request.cassettePath : `${basename(cassettePath)} (embedded)`;
  process.stdout.write(`${renderReplayBanner({
    url: server.url,
    cassetteName,
    cassette,
    tokens: request.imdsv2 ? 'required (IMDSv2 only)' : 'optional (IMDSv1 and IMDSv2)',
    layers: ['fresh-credentials'],
  })}\n`);
  if (!['127.0.0.1', '::1', 'localhost'].includes(request.hostname)) {
    process.stderr.write(`${colors.yellow('Warning:')} listening on ${request.hostname}, beyond loopback: other machines can read these credentials.\n`);
  }
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await server.close();
  process.stdout.write(`${colors.dim(`stopped after ${requests} request${requests === 1 ? '' : 's'}`)}\n`);
  return { url: server.url, requests };
}
