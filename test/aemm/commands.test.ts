import assert from 'node:assert/strict';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { send } from '../helpers/http.js';
import {
  ASG_META_LISTING,
  EVENTS_META_LISTING,
  NOT_FOUND_PAGE,
  README_EVENT_JSON,
  ROOT_META_LISTING,
  SPOT_META_LISTING,
} from './aemm-golden.js';
import { runAemm, startAemm, type AemmProcess } from './spawn-ec2-metadata-mock.js';

const LOOPBACK = ['-n', '127.0.0.1', '-p', '0'];
const SPOT = '/latest/meta-data/spot/instance-action';
const EVENTS = '/latest/meta-data/events/maintenance/scheduled';
const ASG = '/latest/meta-data/autoscaling/target-lifecycle-state';
const REBALANCE = '/latest/meta-data/events/recommendations/rebalance';

let home: string;
before(async () => {
  home = await mkdtemp(join(tmpdir(), 'aemm-home-'));
});
after(() => rm(home, { recursive: true, force: true }));

async function withAemm(args: string[], run: (aemm: AemmProcess) => Promise<void>): Promise<void> {
  const aemm = await startAemm(args, { env: { HOME: home } });
  try {
    await run(aemm);
  } finally {
    await aemm.stop();
  }
}

/** Moves the replay clock of a drop-in started with `--control`, instead of sleeping through a delay as AEMM's e2e tests do. */
async function advance(url: string, by: string): Promise<void> {
  const response = await send(url, '/__aemm/advance', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-aemm-control': '1' },
    body: JSON.stringify({ by }),
  });
  assert.equal(response.status, 200, response.text);
}

const rfc3339 = (epochMs: number): string => new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('start-up and shutdown', () => {
  test("logs AEMM's start-up line on stderr, the set flags on stdout, and exits 0 on SIGINT", async () => {
    const aemm = await startAemm([...LOOPBACK, '-d', '1'], { env: { HOME: home }, bin: true });
    const result = await aemm.stop('SIGINT');
    assert.equal(result.code, 0);
    assert.match(result.stderr, /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d Warning: {2}Config File "aemm-config" Not Found in "\[.+\]"$/m);
    assert.match(
      result.stderr,
      new RegExp(`^\\d{4}/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d Initiating ec2-metadata-mock for all mocks on port ${aemm.port}$`, 'm'),
    );
    assert.equal(result.stdout, '\nFlags:\nhostname: 127.0.0.1\nmock-delay-sec: 1\nport: 0\n\n');
  });

  test('exits 0 on SIGTERM, and prints no Flags block when no flag was set', async () => {
    const aemm = await startAemm([], { env: { HOME: home, AEMM_SERVER_HOSTNAME: '127.0.0.1', AEMM_SERVER_PORT: '0' }, bin: true });
    const result = await aemm.stop('SIGTERM');
    assert.equal(result.code, 0);
    assert.equal(result.stdout, '');
  });

  test('names the command in its start-up line', async () => {
    for (const [command, what] of [
      ['spot', 'EC2 Spot interruption notice'],
      ['events', 'EC2 Events'],
      ['asglifecycle', 'EC2 ASG Lifecycle'],
    ] as const) {
      const aemm = await startAemm([command, ...LOOPBACK], { env: { HOME: home } });
      const { stderr } = await aemm.stop();
      assert.match(stderr, new RegExp(`Initiating ec2-metadata-mock for ${what} on port ${aemm.port}\n`));
    }
  });
});

describe('the root command mocks everything', () => {
  test('a spot notice whose time is the request time plus two minutes, rebalance, an event, and ASG Terminated', () =>
    withAemm(LOOPBACK, async ({ url }) => {
      const spot = await send(url, SPOT);
      assert.equal(spot.headers['content-type'], 'application/json');
      const notice = JSON.parse(spot.text) as { action: string; time: string };
      assert.equal(spot.text, `{\n\t"action": "terminate",\n\t"time": "${notice.time}"\n}`);
      assert.ok(Math.abs(Date.parse(notice.time) - (Date.now() + 120_000)) < 3000, notice.time);
      // Both leaves show the request time plus two minutes; read them within one second of the clock.
      for (;;) {
        const before = JSON.parse((await send(url, SPOT)).text) as { time: string };
        const termination = (await send(url, '/latest/meta-data/spot/termination-time')).text;
        const after = JSON.parse((await send(url, SPOT)).text) as { time: string };
        if (before.time !== after.time) continue;
        assert.equal(termination, before.time);
        break;
      }
      const rebalance = await send(url, REBALANCE);
      assert.match(rebalance.text, /^\{\n\t"noticeTime": "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"\n\}$/);
      assert.match(
        (await send(url, EVENTS)).text,
        /^\[\n\t\{\n\t\t"Code": "system-reboot",\n\t\t"Description": "The instance is scheduled for system-reboot",\n\t\t"State": "active",/,
      );
      assert.equal((await send(url, ASG)).text, 'Terminated');
      assert.equal((await send(url, '/latest/meta-data/instance-life-cycle')).text, 'on-demand', 'AEMM keeps its config value');
    }));

  test('-d delays spot and events (404 meanwhile) but not static metadata or listings', () =>
    withAemm([...LOOPBACK, '-d', '3600', '--control'], async ({ url }) => {
      assert.equal((await send(url, '/latest/meta-data')).text, ROOT_META_LISTING, 'routes are listed before the delay');
      assert.equal((await send(url, '/latest/meta-data/spot')).text, 'instance-action\ntermination-time');
      assert.equal((await send(url, '/latest/meta-data/instance-id')).status, 200);
      const event = await send(url, EVENTS);
      assert.equal(event.status, 404, 'AEMM answers 404, not [], before the delay');
      assert.equal(event.text, NOT_FOUND_PAGE);
      const first = await send(url, SPOT);
      assert.equal(first.status, 404);
      assert.equal(first.text, NOT_FOUND_PAGE);
      await advance(url, '1h');
      assert.equal((await send(url, SPOT)).status, 200);
      assert.equal((await send(url, EVENTS)).status, 200);
    }));

  test('--mock-trigger-time takes priority over --mock-delay-sec', () =>
    // An hour ahead, so a slow start on a busy machine cannot pass the trigger time before the first request.
    withAemm(
      [...LOOPBACK, '--mock-delay-sec', '86400', '--mock-trigger-time', rfc3339(Date.now() + 3_600_000), '--control'],
      async ({ url }) => {
        assert.equal((await send(url, SPOT)).status, 404);
        await advance(url, '2h');
        assert.equal((await send(url, SPOT)).status, 200, 'the trigger time passed, while the one-day delay has not');
      },
    ));

  test('--rebalance-delay-sec delays only the rebalance recommendation', () =>
    withAemm([...LOOPBACK, '--rebalance-delay-sec', '3600', '--control'], async ({ url }) => {
      assert.equal((await send(url, SPOT)).status, 200);
      assert.equal((await send(url, REBALANCE)).status, 404);
      await advance(url, '1h');
      assert.equal((await send(url, REBALANCE)).status, 200);
    }));

  test('--asg-termination-delay-sec keeps the target state InService until it passes', () =>
    withAemm([...LOOPBACK, '--asg-termination-delay-sec', '3600', '--control'], async ({ url }) => {
      assert.equal((await send(url, ASG)).text, 'InService');
      await advance(url, '1h');
      assert.equal((await send(url, ASG)).text, 'Terminated');
    }));

  test('-x 0: no client address may see notices, static metadata still answers', () =>
    withAemm([...LOOPBACK, '-x', '0'], async ({ url }) => {
      assert.equal((await send(url, SPOT)).status, 404);
      assert.equal((await send(url, EVENTS)).status, 404);
      assert.equal((await send(url, REBALANCE)).status, 404);
      assert.equal((await send(url, '/latest/meta-data/mac')).status, 200);
    }));
});

describe('subcommands serve static metadata plus only their own category', () => {
  for (const name of ['spot']) {
    test(`${name}: spot and rebalance; events and ASG answer 404`, () =>
      withAemm([name, ...LOOPBACK, '-a', 'hibernate'], async ({ url }) => {
        assert.equal((await send(url, '/latest/meta-data')).text, SPOT_META_LISTING);
        assert.equal((JSON.parse((await send(url, SPOT)).text) as { action: string }).action, 'hibernate');
        assert.equal((await send(url, REBALANCE)).status, 200);
        assert.equal((await send(url, EVENTS)).status, 404);
        assert.equal((await send(url, ASG)).status, 404);
        assert.equal((await send(url, '/latest/meta-data/events')).text, 'recommendations/');
      }));
  }

  test('spot -t and -r fix the notice times, echoed as given', () =>
    withAemm(['spot', ...LOOPBACK, '-t', '2020-01-07T01:03:47Z', '--rebalance-rec-time', '2020-01-07T00:58:47Z'], async ({ url }) => {
      assert.equal((await send(url, SPOT)).text, '{\n\t"action": "terminate",\n\t"time": "2020-01-07T01:03:47Z"\n}');
      assert.equal((await send(url, '/latest/meta-data/spot/termination-time')).text, '2020-01-07T01:03:47Z');
      assert.equal((await send(url, REBALANCE)).text, '{\n\t"noticeTime": "2020-01-07T00:58:47Z"\n}');
    }));

  for (const name of ['events', 'se', 'scheduledevents']) {
    test(`${name}: the README's event byte for byte; spot answers 404`, () =>
      withAemm(
        [
          name,
          ...LOOPBACK,
          '--code',
          'instance-reboot',
          '-a',
          '2020-01-07T01:03:47Z',
          '-b',
          '2020-01-01T01:03:47Z',
          '-l',
          '2020-01-10T01:03:47Z',
          '--state',
          'completed',
        ],
        async ({ url }) => {
          const response = await send(url, EVENTS);
          assert.equal(response.headers['content-type'], 'application/json');
          assert.equal(response.text, README_EVENT_JSON);
          assert.equal((await send(url, '/latest/meta-data')).text, EVENTS_META_LISTING);
          assert.equal((await send(url, SPOT)).status, 404);
          assert.equal((await send(url, REBALANCE)).status, 404);
          assert.equal((await send(url, ASG)).status, 404);
        },
      ));
  }

  for (const name of ['asglifecycle', 'autoscaling', 'asg']) {
    test(`${name}: only the ASG target lifecycle state`, () =>
      withAemm([name, ...LOOPBACK], async ({ url }) => {
        assert.equal((await send(url, '/latest/meta-data')).text, ASG_META_LISTING);
        assert.equal((await send(url, ASG)).text, 'Terminated');
        assert.equal((await send(url, ASG)).headers['content-type'], 'text/plain');
        assert.equal((await send(url, SPOT)).status, 404);
        assert.equal((await send(url, EVENTS)).status, 404);
      }));
  }

  test('global flags go before or after the command, local flags even before it (cobra)', async () => {
    await withAemm(['-n', '127.0.0.1', 'spot', '-p', '0', '--action=stop'], async ({ url }) => {
      assert.match((await send(url, SPOT)).text, /"action": "stop"/);
    });
    await withAemm(['--action', 'stop', '-n127.0.0.1', '-p=0', 'spot'], async ({ url }) => {
      assert.match((await send(url, SPOT)).text, /"action": "stop"/);
    });
  });
});

describe('help, version and bad input', () => {
  test('--help, -h and help COMMAND print cobra-style help and exit 0', async () => {
    const root = await runAemm(['--help'], { env: { HOME: home } });
    assert.equal(root.code, 0);
    assert.match(
      root.stdout,
      /^ec2-metadata-mock is a tool to mock Amazon EC2 instance metadata\.\n\nUsage:\n {2}ec2-metadata-mock <command> \[arguments\] \[flags\]\n/,
    );
    assert.match(
      root.stdout,
      /\n {2}-x, --mock-ip-count int +number of IPs in a cluster that can receive a Spot Interrupt Notice and\/or Scheduled Event \(default 2\)\n/,
    );
    assert.match(root.stdout, /Use "ec2-metadata-mock \[command\] --help" for more information about a command\.\n$/);
    const events = await runAemm(['help', 'events']);
    assert.match(
      events.stdout,
      /^Mock EC2 maintenance events\n\nUsage:\n {2}ec2-metadata-mock events \[--code CODE\] \[--state STATE\] \[--not-after\] \[--not-before-deadline\] \[flags\]\n\nAliases:\n {2}events, se, scheduledevents\n/,
    );
    assert.match(
      events.stdout,
      /\n {2}-o, --code string +event code in the scheduled event \(default: system-reboot\)\n {30,}event-code can be one of the following: instance-reboot,system-reboot,system-maintenance,instance-retirement,instance-stop\n/,
    );
    assert.equal((await runAemm(['spot', '-h'])).stdout, (await runAemm(['help', 'spot'])).stdout);
  });

  test('-v and --version print the AEMM version', async () => {
    for (const flag of ['-v', '--version']) {
      const result = await runAemm([flag]);
      assert.equal(result.code, 0);
      assert.equal(result.stdout, 'v1.12.0', 'no final newline, like AEMM');
    }
  });

  test("an invalid value prints AEMM's message on one line, exits 2, and saves nothing", async () => {
    const result = await runAemm(['events', '--code', 'FOO', '-s', ...LOOPBACK], { env: { HOME: home } });
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /^Error: Invalid CLI input "FOO" for flag code\. Allowed value\(s\): instance-reboot,system-reboot,system-maintenance,instance-retirement,instance-stop\.$/m,
    );
    assert.doesNotMatch(result.stderr, /panic|goroutine|\n {4}at /);
    await assert.rejects(access(join(home, '.ec2-metadata-mock', '.aemm-config-used.json')));
  });

  test('every invalid value is named with what is allowed', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['spot', '-a', 'jump'], /Invalid CLI input "jump" for flag action\. Allowed value\(s\): terminate,hibernate,stop\./],
      [
        ['--mock-trigger-time', 'tomorrow'],
        /Invalid CLI input "tomorrow" for flag mock-trigger-time\. Allowed value\(s\): time in RFC3339 format, e\.g\. 2020-01-07T01:03:47Z\./,
      ],
      [['events', '-t', 'pending'], /Invalid CLI input "pending" for flag state\. Allowed value\(s\): active,completed,canceled\./],
      [['-p', '99999'], /Invalid CLI input "99999" for flag port\. Allowed value\(s\): a TCP port number from 0 to 65535/],
      [
        ['-d', 'soon'],
        /invalid argument "soon" for "-d, --mock-delay-sec" flag: strconv\.ParseInt: parsing "soon": invalid syntax\nUsage:\n/,
      ],
      [['--bogus'], /^Error: unknown flag: --bogus\nUsage:\n {2}ec2-metadata-mock <command> \[arguments\] \[flags\]\n/m],
      [['spot', '-v'], /unknown shorthand flag: 'v' in -v/],
      [['womp'], /unknown command "womp" for "ec2-metadata-mock"/],
      [['-p'], /flag needs an argument: 'p' in -p/],
    ];
    for (const [args, message] of cases) {
      const result = await runAemm(args, { env: { HOME: home } });
      assert.equal(result.code, 2, args.join(' '));
      assert.match(result.stderr, message, args.join(' '));
    }
  });

  test('a port in use is one clear line, not a panic', () =>
    withAemm(LOOPBACK, async ({ port }) => {
      const result = await runAemm(['-n', '127.0.0.1', '-p', String(port)], { env: { HOME: home } });
      assert.equal(result.code, 2);
      assert.match(result.stderr, new RegExp(`^Error: Port ${port} on 127\\.0\\.0\\.1 is already in use\\.`, 'm'));
    }));
});
