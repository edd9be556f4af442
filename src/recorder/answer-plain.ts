import type { ServerResponse } from 'node:http';

/** Answers with a one-line text message from the proxy itself, and closes the connection. */
export function answerPlain(res: ServerResponse, status: number, message: string): void {
  const body = Buffer.from(`${message}\n`);
  res.writeHead(status, { 'content-type': 'text/plain', 'content-length': String(body.length), connection: 'close' });
  res.end(body);
}
