import { connect } from 'node:net';

/** One response as it came off the wire: status line, header lines in order, body bytes. */
export interface WireResponse {
  statusLine: string;
  headers: string[];
  body: Buffer;
  /** Whether the server closed the connection right after this response. */
  closed: boolean;
}

function findHeader(headers: readonly string[], name: string): string | undefined {
  const line = headers.find((header) => header.toLowerCase().startsWith(`${name}:`));
  return line?.slice(name.length + 1).trim();
}

function decodeChunked(data: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const end = data.indexOf('\r\n', at);
    if (end === -1) return undefined;
    const size = Number.parseInt(data.subarray(at, end).toString('latin1'), 16);
    if (Number.isNaN(size)) return Buffer.concat(parts);
    if (size === 0) return Buffer.concat(parts);
    if (data.length < end + 2 + size + 2) return undefined;
    parts.push(data.subarray(end + 2, end + 2 + size));
    at = end + 2 + size + 2;
  }
}

/**
 * Writes `raw` to a fresh loopback connection and reads one response, framed by Content-Length,
 * chunked encoding or the server closing. A malformed request goes out exactly as written.
 */
export function sendRaw(port: number, raw: string | Buffer, options: { head?: boolean; timeoutMs?: number } = {}): Promise<WireResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    let settled = false;
    const finish = (closed: boolean): void => {
      if (settled) return;
      const split = data.indexOf('\r\n\r\n');
      if (split === -1) {
        if (!closed) return;
        settled = true;
        socket.destroy();
        resolve({ statusLine: data.toString('latin1'), headers: [], body: Buffer.alloc(0), closed: true });
        return;
      }
      const [statusLine = '', ...headers] = data.subarray(0, split).toString('latin1').split('\r\n');
      const rest = data.subarray(split + 4);
      const status = Number(statusLine.split(' ')[1]);
      let body: Buffer | undefined;
      const length = findHeader(headers, 'content-length');
      if (options.head || status === 204 || status === 304 || (status >= 100 && status < 200)) body = Buffer.alloc(0);
      else if (length !== undefined) body = rest.length >= Number(length) ? rest.subarray(0, Number(length)) : undefined;
      else if (findHeader(headers, 'transfer-encoding')?.toLowerCase() === 'chunked') body = decodeChunked(rest);
      else if (closed) body = rest;
      if (body === undefined && !closed) return;
      settled = true;
      // Give the server a moment to close, so a response that ends the connection says so.
      const closedNow = closed || findHeader(headers, 'connection')?.toLowerCase() === 'close';
      socket.destroy();
      resolve({ statusLine, headers, body: body ?? rest, closed: closedNow });
    };
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve({ statusLine: `(no response within ${options.timeoutMs ?? 3000} ms)`, headers: [], body: data, closed: false });
    }, options.timeoutMs ?? 3000);
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      finish(false);
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => {
      clearTimeout(timer);
      finish(true);
    });
    socket.on('error', (error) => {
      if (!settled && data.length === 0) {
        settled = true;
        clearTimeout(timer);
        reject(error);
      }
    });
    socket.write(raw);
  });
}
