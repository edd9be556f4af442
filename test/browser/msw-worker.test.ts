import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { defaultCassette } from '../../src/msw/index.js';

// A real Chromium loads a page whose msw service worker runs aemm's handlers; the test reads what
// the page shows. Debian's chromium is used; under CI a missing browser is a failure, not a skip.
const CHROMIUM = '/usr/bin/chromium';
const here = fileURLToPath(new URL('.', import.meta.url));
const buildDir = join(here, '.build');
const recorded = (path: string): string => defaultCassette.entries[path]!.body!;
const missing = !existsSync(CHROMIUM);

const CONTENT_TYPES: Record<string, string> = {
  '/index.html': 'text/html; charset=utf-8',
  '/main.js': 'text/javascript; charset=utf-8',
  '/mockServiceWorker.js': 'text/javascript; charset=utf-8',
};

async function buildPage(): Promise<void> {
  await mkdir(buildDir, { recursive: true });
  await build({
    entryPoints: [join(here, 'page', 'main.ts')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    outfile: join(buildDir, 'main.js'),
    logLevel: 'silent',
  });
  await copyFile(join(here, 'page', 'index.html'), join(buildDir, 'index.html'));
  // The worker script must come from the same msw version as the bundled page.
  const mswRoot = join(createRequire(import.meta.url).resolve('msw/package.json'), '..');
  await copyFile(join(mswRoot, 'lib', 'mockServiceWorker.js'), join(buildDir, 'mockServiceWorker.js'));
}

function servePage(requested: string[]): Promise<Server> {
  const server = createServer((req, res) => {
    const path = req.url === '/' ? '/index.html' : (req.url ?? '');
    requested.push(path);
    const type = CONTENT_TYPES[path];
    if (!type) {
      res.writeHead(404).end();
      return;
    }
    readFile(join(buildDir, path.slice(1))).then(
      (body) => res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(body),
      () => res.writeHead(500).end(),
    );
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('ec2-imds-replay/msw in a real browser (msw/browser service worker)', () => {
  if (missing && !process.env.CI) {
    test('skipped: Debian chromium is not installed (apt-get install chromium)', { skip: true }, () => {});
    return;
  }

  let server: Server;
  let browser: Browser;
  const requested: string[] = [];
  before(async () => {
    await buildPage();
    server = await servePage(requested);
  });
  after(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  test('the page shows IMDS answers from the handlers: v1, a token PUT, v2, a listing, required mode', { timeout: 90_000 }, async () => {
    assert.ok(!missing, `Chromium is missing at ${CHROMIUM}; CI must install Debian's chromium package before the tests.`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        // Anything not answered by the worker would go to this dead loopback proxy, never out;
        // Chromium reaches loopback (the page server) directly.
        '--proxy-server=http://127.0.0.1:9',
      ],
    });
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(String(error)));
    // Chromium logs every non-2xx response as "Failed to load resource"; the 401 is expected.
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(message.text());
    });
    const imdsResponses: { url: string; fromWorker: boolean }[] = [];
    page.on('response', (response) => {
      if (response.url().startsWith('http://169.254.169.254/'))
        imdsResponses.push({ url: response.url(), fromWorker: response.fromServiceWorker() });
    });
    const { port } = server.address() as AddressInfo;
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => document.getElementById('state')?.textContent !== 'starting', undefined, { timeout: 60_000 });

    const shown = async (id: string): Promise<string | null> => page.textContent(`#${id}`);
    assert.equal(await shown('state'), 'done', problems.join('\n'));
    assert.equal(await shown('v1-status'), '200');
    assert.equal(await shown('v1-instance-id'), recorded('/latest/meta-data/instance-id'));
    assert.equal(await shown('v1-server'), 'EC2ws');
    assert.equal(await shown('token-status'), '200');
    assert.equal(await shown('token-length'), '56');
    assert.equal(await shown('token-ttl'), '300');
    assert.equal(await shown('v2-status'), '200');
    assert.equal(await shown('v2-region'), recorded('/latest/meta-data/placement/region'));
    assert.equal(await shown('listing'), recorded('/latest/meta-data/iam/'));
    assert.equal(await shown('required-tokenless-status'), '401');
    assert.equal(await shown('required-token-status'), '200');
    assert.deepEqual(problems, []);
    // Every IMDS answer came from the service worker; the page server saw no IMDS path.
    assert.equal(imdsResponses.length, 6);
    assert.ok(
      imdsResponses.every((response) => response.fromWorker),
      JSON.stringify(imdsResponses),
    );
    assert.ok(!requested.some((path) => path.includes('latest')), requested.join(', '));
  });
});
