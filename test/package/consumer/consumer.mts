// A TypeScript consumer: must type-check under node16 and bundler resolution.
import { startServer, type ImdsServer, type ServerOptions } from 'ec2-imds-replay';
import { defaultCassette, imdsHandlers, type ImdsHandlers } from 'ec2-imds-replay/msw';
import { loadCassette } from 'ec2-imds-replay/msw/node';

const options: ServerOptions = { port: 0, imdsv2: 'required' };

export async function check(path: string): Promise<string> {
  const server: ImdsServer = await startServer(options);
  const handlers: ImdsHandlers = imdsHandlers({ cassette: defaultCassette });
  handlers.control.advance('2m');
  const cassette = await loadCassette(path);
  await server.close();
  return `${server.url} ${cassette.meta.recordedAt}`;
}
