import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { BIN, runBin, runCli, startCliServer, type CliServer } from '../helpers/run-cli.js';
import { startUntil } from '../package/spawn-node.js';

const HELP = /Serve a cassette as a local EC2 instance metadata service\.\n\nUSAGE\n {2}\$ aemm replay \[CASSETTE\]/;
const VERSION = /^ec2-imds-replay\/\d+\.\d+\.\d+ linux-x64 node-v\d+/;

/**
 * Runs `node <command line>` on a pseudo-terminal from script(1) (oclif's not-found plugin asks
 * only on a TTY), typing `input`; its output has the terminal's \r\n line ends made \n. Undefined,
 * with the test skipped, when script(1) is missing (a failure when CI is set).
 */
function runOnTerminal(context: TestContext, commandLine: string, input: string): { output: string; status: number | null } | undefined {
  if (spawnSync('script', ['--version'], { encoding: 'utf8' }).error) {
    if (process.env.CI) assert.fail('script(1) (util-linux) is needed to give the CLI a terminal');
    context.skip('script(1) is not installed');
    return undefined;
  }
  const run = spawnSync('script', ['-qec', `${process.execPath} ${commandLine}`, '/dev/null'], {
    input,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 20_000,
  });
  return { output: run.stdout.replaceAll('\r', ''), status: run.status };
}

describe('oclif conventions', { concurrency: true }, () => {
  let home: string;
  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'aemm-conventions-'));
  });
  after(() => rm(home, { recursive: true, force: true }));

  const cases: Array<[string, string[], RegExp]> = [
    ['help replay', ['help', 'replay'], HELP],
    ['replay -h', ['replay', '-h'], HELP],
    ['replay --help', ['replay', '--help'], HELP],
    // A hidden alias asks for its command's help, as the command does.
    ['trigger -h', ['trigger', '-h'], /^Trigger, change or clear mock layers of a running aemm replay/],
    ['-v', ['-v'], VERSION],
    ['--version', ['--version'], VERSION],
    [
      '--help lists every command',
      ['--help'],
      /autocomplete[\s\S]*control[\s\S]*diff[\s\S]*help[\s\S]*inspect[\s\S]*record[\s\S]*recordings[\s\S]*replay/,
    ],
  ];
  for (const [name, args, expected] of cases) {
    test(`aemm ${name}`, async () => {
      // The completion cache goes to AEMM_CACHE_DIR, so the test never writes to the real home.
      const result = await runBin(args, { AEMM_CACHE_DIR: home });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, expected);
    });
  }

  test('bash completes command names and flags after aemm autocomplete bash', async () => {
    // The completion cache goes to AEMM_CACHE_DIR, so the test never writes to the real home.
    const setup = await runBin(['autocomplete', 'bash'], { AEMM_CACHE_DIR: home });
    assert.equal(setup.code, 0, setup.stderr);
    assert.match(setup.stdout, /printf "\$\(aemm autocomplete script bash\)" >> ~\/\.bashrc/);
    const complete = (line: string): string => {
      const words = line.split(' ');
      const script = `source "$1"; COMP_WORDS=(${words.join(' ')}); COMP_CWORD=${words.length - 1}; COMP_LINE='${line}'; _aemm_autocomplete; echo "\${COMPREPLY[@]}"`;
      return spawnSync('bash', ['-c', script, 'bash', join(home, 'autocomplete', 'functions', 'bash', 'aemm.bash')], {
        encoding: 'utf8',
      }).stdout.trim();
    };
    assert.equal(complete('aemm rep'), 'replay');
    assert.equal(complete('aemm replay --spot-d'), '--spot-delay');
    assert.equal(complete('aemm recor'), 'record recordings');
  });

  test('a mistyped command on a terminal asks "Did you mean replay?"', (context) => {
    // The typed "n" declines.
    const run = runOnTerminal(context, `${BIN} repaly`, 'n\n');
    if (!run) return;
    assert.match(run.output, /repaly is not a aemm command/);
    assert.match(run.output, /Did you mean replay\?/);
    assert.equal(run.status, 127);
  });

  test('yes to "Did you mean replay?" after aemm help replya shows the help of replay, not a replay', (context) => {
    const run = runOnTerminal(context, `${BIN} help replya`, 'y\n');
    if (!run) return;
    assert.match(run.output, /Did you mean replay\?/);
    assert.match(run.output, HELP);
    assert.doesNotMatch(run.output, /aemm replay serving/);
    assert.equal(run.status, 0);
  });

  // Without a terminal there is nobody to ask: one line names the mistake and the fix, exit 127 (a shell's "command not found").
  const mistakes: Array<[string[], string]> = [
    [['replya'], '"replya" is not a command; did you mean "replay"? See aemm --help.'],
    [['replya', 'm7i-large', '--port', '0'], '"replya" is not a command; did you mean "replay"? See aemm --help.'],
    [['recrod'], '"recrod" is not a command; did you mean "record"? See aemm --help.'],
    [['events', 'previw'], '"events previw" is not a command; did you mean "events preview"? See aemm --help.'],
    [['inspcet', '--json'], '"inspcet" is not a command; did you mean "inspect"? See aemm --help.'],
    // A mistyped command after `help` is the same mistake, not the help plugin's error.
    [['help', 'replya'], '"replya" is not a command; did you mean "replay"? See aemm --help.'],
    [['help', 'events', 'previw', '--json'], '"events previw" is not a command; did you mean "events preview"? See aemm --help.'],
    // So is asking a mistyped command for its help.
    [['replya', '--help'], '"replya" is not a command; did you mean "replay"? See aemm --help.'],
    [['events', 'previw', '-h', '--json'], '"events previw" is not a command; did you mean "events preview"? See aemm --help.'],
  ];
  for (const [args, message] of mistakes) {
    const json = args.includes('--json');
    test(`aemm ${args.join(' ')} without a terminal: ${json ? 'a JSON error' : 'one line'}, exit 127`, async () => {
      const result = await runBin(args);
      assert.equal(result.code, 127);
      if (json) {
        assert.deepEqual(JSON.parse(result.stdout), { error: { code: 'COMMAND_NOT_FOUND', message } });
        assert.equal(result.stderr, '');
      } else {
        assert.equal(result.stderr, `aemm: ${message}\n`);
        assert.equal(result.stdout, '');
      }
    });
  }
});

describe('--json on every command that prints data', { concurrency: true }, () => {
  let replay: CliServer;
  before(async () => {
    replay = await startCliServer(['replay', '--port', '0', '--quiet']);
  });
  after(() => replay.stop());

  const cases: Array<[string, () => string[], (value: unknown) => void, number?]> = [
    [
      'recordings',
      () => ['recordings', '--json'],
      (value) => assert.ok(Array.isArray(value) && value.some((item: { name: string }) => item.name === 'm7i-large')),
    ],
    ['inspect', () => ['inspect', 'default', '--json'], (value) => assert.equal((value as { format: string }).format, 'aemm-inspect/1')],
    [
      'diff',
      () => ['diff', 'm7i-large', 'm7g-large', '--json'],
      (value) => assert.equal((value as { format: string }).format, 'aemm-diff/1'),
      1,
    ],
    [
      'control',
      () => ['control', 'status', '--json', '--url', replay.url],
      (value) => assert.equal((value as { imdsv2: string }).imdsv2, 'optional'),
    ],
    [
      'record --crawl',
      () => ['record', '--crawl', '-o', join(tmpdir(), `aemm-json-${process.pid}.json`), '--upstream', replay.url, '--json'],
      (value) => assert.equal((value as { how: string }).how, 'crawl'),
    ],
  ];
  // The first case runs the built bin (its stdout is the process's); the others run in this process.
  for (const [index, [name, args, check, code = 0]] of cases.entries()) {
    test(`aemm ${name} --json prints one JSON document and nothing else`, async () => {
      const result = await (index === 0 ? runBin : runCli)(args());
      assert.equal(result.code, code, result.stderr);
      check(JSON.parse(result.stdout));
    });
  }

  const errors: Array<[string, string[], string, RegExp]> = [
    [
      'a missing cassette',
      ['inspect', 'nope.json', '--json'],
      'CASSETTE_INVALID',
      /^Failed to load cassette "nope\.json": the file does not exist/,
    ],
    ['a bad port', ['replay', '--port', 'x', '--json'], 'USAGE', /^--port "x" is not a TCP port/],
    ['diff with one cassette', ['diff', 'default', '--json'], 'USAGE', /needs two cassettes/],
    ['an unknown flag', ['recordings', '--nope', '--json'], 'USAGE', /Nonexistent flag: --nope/],
    ['a flag of another verb', ['control', 'spot', '--by', '2m', '--json'], 'USAGE', /--by does not apply to "aemm control spot"/],
  ];
  // The first runs the built bin (its exit code is the process's); the others run in this process.
  for (const [index, [name, args, code, message]] of errors.entries()) {
    test(`with --json, ${name} is a JSON error on stdout and exit 2`, async () => {
      const result = await (index === 0 ? runBin : runCli)(args);
      assert.equal(result.code, 2);
      assert.equal(result.stderr, '');
      const { error } = JSON.parse(result.stdout) as { error: { code: string; message: string } };
      assert.equal(error.code, code);
      assert.match(error.message, message);
    });
  }
});

describe('servers print one JSON line once listening', () => {
  test('aemm replay --port 0 --json: url, port, cassette, layers; then the stop line', async () => {
    const server = await startUntil(
      process.execPath,
      [BIN, 'replay', 'm7i-large', '--port', '0', '--json', '--spot', 'stop'],
      process.cwd(),
      /^(\{.*\})\n/,
    );
    const ready = JSON.parse(server.ready[1]!) as Record<string, unknown>;
    assert.equal(ready.event, 'listening');
    assert.match(ready.url as string, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(ready.url, `http://127.0.0.1:${ready.port as number}`);
    assert.match(ready.cassette as string, /recordings\/m7i-large\.json$/);
    assert.equal(ready.name, 'm7i-large');
    assert.deepEqual(ready.layers, ['fresh-credentials', 'spot']);
    assert.equal(await (await fetch(`${ready.url as string}/latest/meta-data/instance-type`)).text(), 'm7i.large');
    const stopped = await server.stop();
    assert.equal(stopped.code, 0);
    const lines = stopped.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.equal(lines.length, 2, 'no banner and no request log, only JSON lines');
    assert.deepEqual(lines[1], { event: 'stopped', url: ready.url, requests: 1 });
  });

  test('aemm record --proxy --port 0 --json: url, port, cassette, layers; then the summary', async () => {
    const upstream = await startCliServer(['replay', '--port', '0', '--quiet']);
    const dir = await mkdtemp(join(tmpdir(), 'aemm-proxy-json-'));
    try {
      const output = join(dir, 'app.json');
      const proxy = await startUntil(
        process.execPath,
        [BIN, 'record', '--proxy', '-o', output, '--upstream', upstream.url, '--port', '0', '--json'],
        process.cwd(),
        /^(\{.*\})\n/,
      );
      const ready = JSON.parse(proxy.ready[1]!) as Record<string, unknown>;
      assert.deepEqual(
        { ...ready, url: undefined, port: undefined },
        { event: 'listening', url: undefined, port: undefined, upstream: upstream.url, cassette: output, mode: 'new', layers: [] },
      );
      assert.equal(ready.url, `http://127.0.0.1:${ready.port as number}`);
      assert.equal(await (await fetch(`${ready.url as string}/latest/meta-data/instance-id`)).text(), 'i-1234567890abcdef0');
      const stopped = await proxy.stop();
      assert.equal(stopped.code, 0, stopped.stderr);
      const lines = stopped.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      assert.equal(lines.length, 2);
      assert.equal(lines[1]!.how, 'proxy');
      assert.equal(lines[1]!.written, true);
    } finally {
      await upstream.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
