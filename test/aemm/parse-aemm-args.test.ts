import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UsageError } from '../../src/core/errors.js';
import { parseAemmArgs, type AemmInvocation } from '../../src/aemm/parse-aemm-args.js';

/** The flags of a run as `name=shown`, in the order given. */
function flagsOf(invocation: AemmInvocation): string[] {
  assert.equal(invocation.action, 'run');
  return invocation.action === 'run' ? invocation.flags.map((given) => `${given.flag.name}=${given.shown}`) : [];
}

describe('parseAemmArgs reads the command line as cobra and pflag do', () => {
  test('no arguments run the root command with no flags', () => {
    assert.deepEqual(parseAemmArgs([]), { action: 'run', command: 'root', flags: [] });
  });

  test('long, long=value, short, attached short, short=value and grouped bool shorthands', () => {
    assert.deepEqual(flagsOf(parseAemmArgs(['--port', '1', '--hostname=h', '-d', '5', '-x3', '-c=f.json', '-Is'])), [
      'port=1',
      'hostname=h',
      'mock-delay-sec=5',
      'mock-ip-count=3',
      'config-file=f.json',
      'imdsv2=true',
      'save-config-to-file=true',
    ]);
  });

  test('a repeated flag keeps its last value', () => {
    assert.deepEqual(flagsOf(parseAemmArgs(['-p', '1', '-p', '2'])), ['port=2']);
  });

  test('ints are read like strconv.ParseInt with base 0, bools like ParseBool', () => {
    assert.deepEqual(flagsOf(parseAemmArgs(['-d', '0x10', '--rebalance-delay-sec', '010', '--imdsv2=false'])), [
      'mock-delay-sec=16',
      'rebalance-delay-sec=8',
      'imdsv2=false',
    ]);
  });

  test('the command and its aliases are found among flags, local flags anywhere', () => {
    for (const word of ['spot']) {
      const invocation = parseAemmArgs(['-p', '1', word, '-a', 'stop']);
      assert.equal(invocation.action === 'run' && invocation.command, 'spot');
    }
    const before = parseAemmArgs(['--action', 'stop', 'spot']);
    assert.deepEqual(before.action === 'run' && [before.command, flagsOf(before)], ['spot', ['action=stop']]);
    for (const [word, command] of [
      ['se', 'events'],
      ['scheduledevents', 'events'],
      ['asg', 'asglifecycle'],
      ['autoscaling', 'asglifecycle'],
    ]) {
      const invocation = parseAemmArgs([word!]);
      assert.equal(invocation.action === 'run' && invocation.command, command);
    }
  });

  test("events' -a and -t mean not-after and state; spot's mean action and time", () => {
    assert.deepEqual(flagsOf(parseAemmArgs(['events', '-a', 'X', '-t', 'active'])), ['not-after=X', 'state=active']);
    assert.deepEqual(flagsOf(parseAemmArgs(['spot', '-a', 'stop', '-t', 'T'])), ['action=stop', 'time=T']);
  });

  test('help in every form, and version only on the root', () => {
    assert.deepEqual(parseAemmArgs(['-h']), { action: 'help', topic: 'root', viaCommand: false });
    assert.deepEqual(parseAemmArgs(['help']), { action: 'help', topic: 'root', viaCommand: true });
    assert.deepEqual(parseAemmArgs(['spot', '--help']), { action: 'help', topic: 'spot', viaCommand: false });
    assert.deepEqual(parseAemmArgs(['help', 'se']), { action: 'help', topic: 'events', viaCommand: true });
    assert.deepEqual(parseAemmArgs(['completion', 'zsh', '-h']), { action: 'help', topic: 'completion zsh', viaCommand: false });
    assert.deepEqual(parseAemmArgs(['completion', 'fish', '--no-descriptions']), {
      action: 'completion',
      shell: 'fish',
      descriptions: false,
    });
    assert.deepEqual(parseAemmArgs(['__complete', 'sp']), { action: 'complete', words: ['sp'], descriptions: true });
    const unknown = parseAemmArgs(['help', 'nope']);
    assert.equal(unknown.action === 'help' && unknown.unknownTopic, 'nope');
    assert.deepEqual(parseAemmArgs(['-v']), { action: 'version' });
    assert.equal(parseAemmArgs(['-h', '-v']).action, 'help', 'help wins over version, as in cobra');
  });

  test('after -- everything is an argument', () => {
    assert.throws(() => parseAemmArgs(['--', '-p']), /unknown command "-p"/);
  });

  test("mistakes are UsageErrors in cobra's words", () => {
    const cases: Array<[string[], string]> = [
      [['--nope'], 'unknown flag: --nope'],
      [['-z'], "unknown shorthand flag: 'z' in -z"],
      [['-Iz'], "unknown shorthand flag: 'z' in -Iz"],
      [['--port'], 'flag needs an argument: --port'],
      [['-p'], "flag needs an argument: 'p' in -p"],
      [['-d', '1.5'], 'invalid argument "1.5" for "-d, --mock-delay-sec" flag: strconv.ParseInt: parsing "1.5": invalid syntax'],
      [['--imdsv2=maybe'], 'invalid argument "maybe" for "-I, --imdsv2" flag: strconv.ParseBool: parsing "maybe": invalid syntax'],
      [['serve'], 'unknown command "serve" for "ec2-metadata-mock"'],
      [['spot', '-v'], "unknown shorthand flag: 'v' in -v"],
      [['spot', '-o', 'x'], "unknown shorthand flag: 'o' in -o"],
      [['spotitn'], 'unknown command "spotitn" for "ec2-metadata-mock"'],
      [['completion', 'bash', 'extra'], 'unknown command "extra" for "ec2-metadata-mock completion bash"'],
    ];
    for (const [args, message] of cases) {
      assert.throws(
        () => parseAemmArgs(args),
        (error: unknown) => error instanceof UsageError && error.message === message,
        args.join(' '),
      );
    }
  });
});
