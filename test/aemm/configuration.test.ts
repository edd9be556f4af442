import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { send } from '../helpers/http.js';
import { NOT_FOUND_PAGE } from './aemm-golden.js';
import { runAemm, startAemm, type AemmProcess, type AemmSpawnOptions } from './spawn-ec2-metadata-mock.js';

const LOOPBACK = ['-n', '127.0.0.1', '-p', '0'];
const MACS = '/latest/meta-data/network/interfaces/macs';
const SPOT = '/latest/meta-data/spot/instance-action';

let root: string;
let count = 0;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'aemm-config-'));
});
after(() => rm(root, { recursive: true, force: true }));

/** A fresh HOME for one test, so -s and $HOME/aemm-config.json never leak between tests. */
async function freshHome(): Promise<string> {
  const home = join(root, `home-${++count}`);
  await mkdir(home);
  return home;
}

async function withAemm(
  args: string[],
  options: AemmSpawnOptions,
  run: (aemm: AemmProcess) => Promise<void>,
): Promise<{ stdout: string; stderr: string }> {
  const aemm = await startAemm(args, options);
  try {
    await run(aemm);
  } finally {
    await aemm.stop();
  }
  return aemm.output();
}

const actionOf = async (url: string): Promise<string> => (JSON.parse((await send(url, SPOT)).text) as { action: string }).action;

describe('a JSON config file', () => {
  test('-c overrides values; paths with the overridden mac and public-ipv4 move, an explicitly set path stays', async () => {
    const home = await freshHome();
    const file = join(home, 'config-overrides.json');
    await writeFile(
      file,
      JSON.stringify({
        metadata: {
          paths: { 'mac-device-number': `${MACS}/BAR/device-number` },
          values: { mac: '0e:49:61:0f:c3:77', 'public-ipv4': '54.92.157.77', 'instance-id': 'i-from-config' },
        },
      }),
    );
    const output = await withAemm(['-c', file, ...LOOPBACK], { env: { HOME: home } }, async ({ url }) => {
      assert.equal((await send(url, '/latest/meta-data/mac')).text, '0e:49:61:0f:c3:77');
      assert.equal((await send(url, '/latest/meta-data/instance-id')).text, 'i-from-config');
      assert.equal((await send(url, `${MACS}/0e:49:61:0f:c3:11/interface-id`)).text, NOT_FOUND_PAGE, 'the default path is gone');
      assert.equal((await send(url, `${MACS}/0e:49:61:0f:c3:77/interface-id`)).text, 'eni-0f95d3625f5c521cc');
      // AEMM's "double substitution": both placeholders move, the value stays the configured one.
      assert.equal((await send(url, `${MACS}/0e:49:61:0f:c3:77/ipv4-associations/54.92.157.77`)).text, '192.0.2.54');
      assert.equal((await send(url, `${MACS}/BAR/device-number`)).text, '0');
      assert.equal((await send(url, MACS)).text, '0e:49:61:0f:c3:77/\nBAR/');
    });
    assert.match(output.stdout, new RegExp(`^Using configuration from file: {2}${file.replace(/[.]/g, '\\.')}\n`, 'm'));
    assert.match(
      output.stderr,
      new RegExp(`Updating path from ${MACS}/0e:49:61:0f:c3:11/interface-id to ${MACS}/0e:49:61:0f:c3:77/interface-id\n`),
    );
    assert.match(output.stdout, /\nFlags:\nconfig-file: .*config-overrides\.json\nhostname: 127\.0\.0\.1\nport: 0\n\n/);
  });

  test('$HOME/aemm-config.json is read when no -c is given, AEMM_CONFIG_FILE wins over it, and keys are case-insensitive', async () => {
    const home = await freshHome();
    await writeFile(
      join(home, 'aemm-config.json'),
      JSON.stringify({ Spot: { Action: 'stop' }, server: { hostname: '127.0.0.1', port: '0' } }),
    );
    const named = join(home, 'named.json');
    await writeFile(named, JSON.stringify({ spot: { action: 'hibernate' }, server: { hostname: '127.0.0.1', port: '0' } }));
    const fromHome = await withAemm([], { env: { HOME: home } }, async ({ url }) => assert.equal(await actionOf(url), 'stop'));
    assert.doesNotMatch(fromHome.stderr, /Not Found/);
    await withAemm([], { env: { HOME: home, AEMM_CONFIG_FILE: named } }, async ({ url }) => assert.equal(await actionOf(url), 'hibernate'));
  });

  test("a config file that cannot be read stops start-up with AEMM's fatal line and exit 1", async () => {
    const home = await freshHome();
    const missing = join(home, 'nope.json');
    const result = await runAemm(['-c', missing, ...LOOPBACK], { env: { HOME: home } });
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      new RegExp(
        `\\d\\d:\\d\\d:\\d\\d Error while attempting to apply overrides from ${missing}: open ${missing}: no such file or directory\n$`,
      ),
    );
    const broken = join(home, 'broken.json');
    await writeFile(broken, '{ "metadata": ');
    const parse = await runAemm(['-c', broken, ...LOOPBACK], { env: { HOME: home } });
    assert.equal(parse.code, 1);
    assert.match(parse.stderr, /Error while attempting to apply overrides from .*broken\.json: While parsing config: /);
  });
});

describe('environment variables', () => {
  test('AEMM_* set metadata values, nested values and command settings; an overridden mac moves its paths', async () => {
    const home = await freshHome();
    const env = {
      HOME: home,
      AEMM_METADATA_VALUES_INSTANCE_ID: 'i-from-env',
      AEMM_METADATA_VALUES_IAM_SECURITY_CREDENTIALS_ACCESSKEYID: 'AKIAFROMENV',
      AEMM_METADATA_VALUES_MAC: 'aa:bb:cc:dd:ee:ff',
      AEMM_IMDSV2: 'true',
    };
    await withAemm(LOOPBACK, { env }, async ({ url }) => {
      assert.equal((await send(url, '/latest/meta-data/instance-id')).status, 401, 'AEMM_IMDSV2=true');
      const token = (await send(url, '/latest/api/token', { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' } }))
        .text;
      const headers = { 'x-aws-ec2-metadata-token': token };
      assert.equal((await send(url, '/latest/meta-data/instance-id', { headers })).text, 'i-from-env');
      assert.match(
        (await send(url, '/latest/meta-data/iam/security-credentials/baskinc-role', { headers })).text,
        /\t"AccessKeyId": "AKIAFROMENV",\n/,
      );
      assert.equal((await send(url, `${MACS}/aa:bb:cc:dd:ee:ff/mac`, { headers })).text, '0e:49:61:0f:c3:11', 'mac-mac is its own value');
    });
  });

  test('precedence per key: flag > env > config file > defaults', async () => {
    const home = await freshHome();
    const file = join(home, 'c.json');
    await writeFile(file, JSON.stringify({ spot: { action: 'stop' }, 'mock-ip-count': 5 }));
    await withAemm(['-c', file, ...LOOPBACK], { env: { HOME: home } }, async ({ url }) => assert.equal(await actionOf(url), 'stop'));
    await withAemm(['-c', file, ...LOOPBACK], { env: { HOME: home, AEMM_SPOT_ACTION: 'hibernate' } }, async ({ url }) =>
      assert.equal(await actionOf(url), 'hibernate'),
    );
    await withAemm(
      ['-c', file, ...LOOPBACK, 'spot', '-a', 'terminate'],
      { env: { HOME: home, AEMM_SPOT_ACTION: 'hibernate' } },
      async ({ url }) => {
        assert.equal(await actionOf(url), 'terminate');
      },
    );
    await withAemm(LOOPBACK, { env: { HOME: home } }, async ({ url }) => assert.equal(await actionOf(url), 'terminate'));
  });
});

describe('-s saves the resolved configuration where AEMM does', () => {
  test("to $HOME/.ec2-metadata-mock/.aemm-config-used.json: viper's sorted keys, flag types, env strings, moved paths", async () => {
    const home = await freshHome();
    const file = join(home, 'c.json');
    await writeFile(file, JSON.stringify({ metadata: { values: { mac: 'FOO' } }, imdsv2: false }));
    const saved = join(home, '.ec2-metadata-mock', '.aemm-config-used.json');
    const output = await withAemm(
      ['-s', '-c', file, '-d', '12', ...LOOPBACK],
      { env: { HOME: home, AEMM_MOCK_IP_COUNT: '3' } },
      async () => {},
    );
    assert.match(
      output.stdout,
      new RegExp(`^Successfully saved final configuration to local file {2}${saved.replace(/[.]/g, '\\.')}$`, 'm'),
    );
    const text = await readFile(saved, 'utf8');
    const config = JSON.parse(text) as Record<string, unknown>;
    assert.deepEqual(Object.keys(config), [...Object.keys(config)].sort(), 'keys are sorted');
    assert.match(
      text,
      /^\{\n {2}"asg-termination-delay-sec": 0,\n {2}"asg-termination-trigger-time": "",\n {2}"config-file": ".*c\.json",\n/,
    );
    assert.ok(!text.endsWith('\n'), 'viper writes no final newline');
    assert.equal(config['mock-delay-sec'], 12, 'a flag keeps its type');
    assert.equal(config['mock-ip-count'], '3', 'an env value is text');
    assert.equal(config['save-config-to-file'], true);
    assert.deepEqual(config.server, { hostname: '127.0.0.1', port: '0' });
    assert.deepEqual(config.spot, { action: 'terminate', 'rebalance-rec-time': '', time: '' });
    const metadata = config.metadata as { paths: Record<string, string>; values: Record<string, unknown> };
    assert.equal(metadata.values.mac, 'FOO');
    assert.equal(metadata.paths['mac-device-number'], `${MACS}/FOO/device-number`);
    assert.deepEqual(
      Object.keys(metadata.values['iam-info'] as object),
      ['code', 'instanceprofilearn', 'instanceprofileid', 'lastupdated'],
      'viper lower-cases keys',
    );
    const identity = (config.dynamic as { values: Record<string, Record<string, unknown>> }).values['instance-identity-document']!;
    assert.ok(!('ramdiskid' in identity), 'null values are left out');
    assert.match((config.events as Record<string, string>)['not-before']!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  test("HOME pointing at a file: AEMM's warning, and the server still runs", async () => {
    const home = await freshHome();
    const notADirectory = join(home, 'file');
    await writeFile(notADirectory, 'x');
    const output = await withAemm(['-s', ...LOOPBACK], { env: { HOME: notADirectory } }, async ({ url }) => {
      assert.equal((await send(url, '/latest/meta-data/mac')).status, 200);
    });
    assert.match(
      output.stderr,
      new RegExp(
        `Warning: Failed to save the final configuration to local file - Failed to create directory for final configuration at ${notADirectory}/\\.ec2-metadata-mock: mkdir ${notADirectory}/\\.ec2-metadata-mock: not a directory\n`,
      ),
    );
  });

  test('.ec2-metadata-mock that is a file: the "not a directory" warning', async () => {
    const home = await freshHome();
    await writeFile(join(home, '.ec2-metadata-mock'), 'x');
    const output = await withAemm(['-s', ...LOOPBACK], { env: { HOME: home } }, async () => {});
    assert.match(
      output.stderr,
      new RegExp(
        `Warning: Failed to save the final configuration to local file - The destination '${home}/\\.ec2-metadata-mock' for saving the configuration already exists, but is not a directory\n`,
      ),
    );
  });

  test("no HOME: AEMM's warning, and the config is saved under the working directory", async () => {
    const cwd = await freshHome();
    const output = await withAemm(['-s', ...LOOPBACK], { env: { HOME: undefined }, cwd }, async () => {});
    assert.match(output.stderr, /Warning: Failed to find home directory due to error: \$HOME is not defined\n/);
    assert.match(
      output.stdout,
      /Successfully saved final configuration to local file {2}\.\/\.ec2-metadata-mock\/\.aemm-config-used\.json\n/,
    );
    assert.equal(
      (JSON.parse(await readFile(join(cwd, '.ec2-metadata-mock', '.aemm-config-used.json'), 'utf8')) as { 'config-file': string })[
        'config-file'
      ],
      '$HOME/aemm-config.json',
    );
  });
});

describe('flags of our own', () => {
  test("--cassette serves a recording the AEMM way, with AEMM's notices on top", async () => {
    const recording = fileURLToPath(new URL('../../recordings/default.json', import.meta.url));
    await withAemm(['--cassette', recording, ...LOOPBACK], { env: { HOME: await freshHome() } }, async ({ url }) => {
      assert.equal((await send(url, '/latest/meta-data/instance-type')).text, 'm5.large');
      assert.equal((await send(url, '/latest/meta-data/iam')).text, 'info\nsecurity-credentials/', 'AEMM listing, no 301');
      assert.match((await send(url, '/latest/meta-data')).text, /\nspot\/\n[^]*\n$/, 'top listing with the spot route and a final newline');
      assert.match((await send(url, SPOT)).text, /^\{\n\t"action": "terminate",/);
    });
  });

  test('--control serves the run-time control API; without it /__aemm/ is an AEMM 404', async () => {
    const home = await freshHome();
    await withAemm(['events', ...LOOPBACK, '--control'], { env: { HOME: home } }, async ({ url }) => {
      const status = await send(url, '/__aemm/status');
      assert.equal(status.status, 200);
      assert.equal((JSON.parse(status.text) as { mocks: Array<{ kind: string }> }).mocks[0]!.kind, 'event');
      await send(url, '/__aemm/spot', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-aemm-control': '1' },
        body: '{"action": "stop"}',
      });
      assert.equal(await actionOf(url), 'stop');
    });
    await withAemm(LOOPBACK, { env: { HOME: home } }, async ({ url }) => {
      assert.equal((await send(url, '/__aemm/status')).text, NOT_FOUND_PAGE);
    });
  });

  test('--fresh-credentials rewrites LastUpdated and Expiration to now and six hours on', async () => {
    await withAemm(['--fresh-credentials', ...LOOPBACK], { env: { HOME: await freshHome() } }, async ({ url }) => {
      const credentials = JSON.parse((await send(url, '/latest/meta-data/iam/security-credentials/baskinc-role')).text) as Record<
        string,
        string
      >;
      assert.ok(Date.parse(credentials.Expiration!) > Date.now() + 5 * 3_600_000);
      assert.ok(Date.now() - Date.parse(credentials.LastUpdated!) < 3_600_000);
      assert.equal(credentials.AccessKeyId, '12345678901');
    });
  });
});
