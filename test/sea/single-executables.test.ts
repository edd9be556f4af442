import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { NOT_FOUND_PAGE, ROOT_META_LISTING } from '../aemm/aemm-golden.js';
import { runNode, startUntil, type Running } from '../package/spawn-node.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const AEMM = join(root, 'dist-sea', 'aemm');
const DROP_IN = join(root, 'dist-sea', 'ec2-metadata-mock');
const missing = [AEMM, DROP_IN].filter((binary) => !existsSync(binary));
// .ci/run builds them before npm test; locally they are built on request (it takes a minute or two).
const skip = missing.length > 0 && !process.env.CI ? 'no single executables in dist-sea/: run npm run build:binary' : false;

/** Runs a single executable (its first argument is the binary, which runNode's `node` slot takes). */
const runBinary = (binary: string, args: string[]) => runNode(binary, args, root);

describe('the single executables', { skip, timeout: 120_000 }, () => {
  before(() => assert.deepEqual(missing, [], 'npm run build:binary must run before the tests under CI'));

  test('aemm answers --version, help replay and recordings, with nothing on stderr', async () => {
    const version = await runBinary(AEMM, ['--version']);
    assert.match(version.stdout, /^ec2-imds-replay\/\d+\.\d+\.\d+ linux-x64 node-v/);
    assert.equal(version.stderr, '');
    const help = await runBinary(AEMM, ['help', 'replay']);
    assert.match(help.stdout, /^Serve a cassette as a local EC2 instance metadata service\./);
    const recordings = await runBinary(AEMM, ['recordings', '--json']);
    assert.deepEqual(
      (JSON.parse(recordings.stdout) as Array<{ name: string }>).map((item) => item.name),
      ['aemm-defaults', 'default', 'm7g-large', 'm7i-large', 'p5-48xlarge', 't3-spot-interrupted'],
    );
  });

  test('aemm replay m7i-large serves from the binary, tokens included', async () => {
    const server = await startUntil(AEMM, ['replay', 'm7i-large', '--port', '0', '--json', '--imdsv2'], root, /^(\{.*\})\n/);
    try {
      const { url } = JSON.parse(server.ready[1]!) as { url: string };
      assert.equal((await fetch(`${url}/latest/meta-data/instance-type`)).status, 401);
      const token = await (
        await fetch(`${url}/latest/api/token`, { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' } })
      ).text();
      assert.equal(
        await (await fetch(`${url}/latest/meta-data/instance-type`, { headers: { 'x-aws-ec2-metadata-token': token } })).text(),
        'm7i.large',
      );
    } finally {
      const stopped = await server.stop();
      assert.equal(stopped.code, 0);
      assert.equal(stopped.stderr, '');
    }
  });

  test('a mistyped command gets one line that names the fix, and exit 127', async () => {
    const result = await runBinary(AEMM, ['repaly']);
    assert.equal(result.code, 127);
    assert.equal(result.stderr, 'aemm: "repaly" is not a command; did you mean "replay"? See aemm --help.\n');
  });

  describe('ec2-metadata-mock serves the smoke table as node bin/ec2-metadata-mock.js does', () => {
    let binary: Running;
    let script: Running;
    const READY = / on port (\d+)\n/;
    before(async () => {
      binary = await startUntil(DROP_IN, ['-n', '127.0.0.1', '-p', '0'], root, READY, {}, 'stderr');
      script = await startUntil(
        process.execPath,
        [join(root, 'bin', 'ec2-metadata-mock.js'), '-n', '127.0.0.1', '-p', '0'],
        root,
        READY,
        {},
        'stderr',
      );
    });
    after(async () => {
      await binary?.stop();
      await script?.stop();
    });

    // Path → what the binary must answer (besides matching the script byte for byte, times aside).
    const SMOKE: Array<[string, number, (string | RegExp)?]> = [
      ['/latest/meta-data', 200, ROOT_META_LISTING],
      ['/latest/meta-data/instance-id', 200, 'i-1234567890abcdef0'],
      ['/latest/meta-data/spot/instance-action', 200, /^\{\n\t"action": "terminate",\n\t"time": "\d{4}-/],
      ['/latest/meta-data/events/maintenance/scheduled', 200, /"Code": "system-reboot"/],
      ['/latest/meta-data/events/recommendations/rebalance', 200],
      ['/latest/meta-data/autoscaling/target-lifecycle-state', 200],
      ['/latest/dynamic/instance-identity/document', 200],
      ['/latest/user-data', 200],
      ['/latest/meta-data/iam/security-credentials/', 200],
      ['/latest/meta-data/no-such-path', 404, NOT_FOUND_PAGE],
    ];
    const masked = (text: string): string =>
      text.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ|\d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT/g, 'TIME');
    for (const [path, status, body] of SMOKE) {
      test(`GET ${path}`, async () => {
        const fromBinary = await fetch(`http://127.0.0.1:${binary.ready[1]}${path}`);
        const fromScript = await fetch(`http://127.0.0.1:${script.ready[1]}${path}`);
        const [text, expected] = [await fromBinary.text(), await fromScript.text()];
        assert.equal(fromBinary.status, status);
        assert.equal(fromBinary.status, fromScript.status);
        assert.equal(masked(text), masked(expected));
        assert.equal(fromBinary.headers.get('content-type'), fromScript.headers.get('content-type'));
        if (typeof body === 'string') assert.equal(text, body);
        else if (body) assert.match(text, body);
      });
    }

    test('PUT /latest/api/token issues a token the binary accepts', async () => {
      const base = `http://127.0.0.1:${binary.ready[1]}`;
      const response = await fetch(`${base}/latest/api/token`, {
        method: 'PUT',
        headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '21600' },
      });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('x-aws-ec2-metadata-token-ttl-seconds'), '21600');
      const token = await response.text();
      assert.equal((await fetch(`${base}/latest/meta-data/instance-id`, { headers: { 'x-aws-ec2-metadata-token': token } })).status, 200);
    });
  });
});
