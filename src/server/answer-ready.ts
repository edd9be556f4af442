import type { IncomingMessage, ServerResponse } from 'node:http';

/** Path of the readiness endpoint; real IMDS paths start with a version, never with this. */
export const READY_PATH = '/__aemm/ready';

/** Answers `GET /__aemm/ready`: 200 with what is served (`about`) once ready, 503 before; 405 for other methods. */
export function answerReady(req: IncomingMessage, res: ServerResponse, about: Record<string, unknown> | undefined): void {
  const status = req.method !== 'GET' && req.method !== 'HEAD' ? 405 : about ? 200 : 503;
  const body = `${JSON.stringify(status === 405 ? { error: 'Use GET for /__aemm/ready.' } : { ready: about !== undefined, ...about })}\n`;
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(req.method === 'HEAD' ? undefined : body);
}
