import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { BUILTIN_SCENARIOS } from '../../../src/core/scenarios/builtin-scenarios.js';
import { parseScenario, ScenarioError } from '../../../src/core/scenarios/parse-scenario.js';

const schema = JSON.parse(readFileSync(new URL('../../../src/cassette/scenario.schema.json', import.meta.url), 'utf8')) as object;
const validate = new Ajv2020({ allErrors: true }).compile(schema);

const file = (steps: unknown[]) => ({ format: 'aemm-scenario/1', name: 'test', steps });

/** The one-line message parseScenario throws for a file, checked to be a ScenarioError. */
function problem(input: unknown): string {
  try {
    parseScenario(input, 'bad.json');
  } catch (error) {
    assert.ok(error instanceof ScenarioError, String(error));
    assert.equal(error.code, 'SCENARIO_INVALID');
    assert.ok(!error.message.includes('\n'), error.message);
    return error.message;
  }
  assert.fail('the scenario was accepted');
}

describe('scenario files', () => {
  test('the built-in scenarios match the published schema', () => {
    for (const [name, scenario] of Object.entries(BUILTIN_SCENARIOS))
      assert.ok(validate(scenario), `${name}: ${JSON.stringify(validate.errors)}`);
  });

  test('a step at an offset, after the previous step, at a time and on triggers', () => {
    const scenario = parseScenario(
      file([
        { name: 'a', at: '1m', apply: { rebalance: true } },
        { name: 'b', after: 90, imdsv2: 'required' },
        { name: 'c', time: '2030-01-01T00:00:00Z', clear: 'all' },
        { name: 'd', on: { control: 'go' }, after: '5s', instance: 'dropped' },
        { name: 'e', on: { control: 'back' }, instance: 'up' },
        {
          name: 'f',
          on: { requests: { path: 'spot/instance-action', count: 3, token: 'valid' } },
          rules: [{ match: { path: '**' }, answer: 'drop', times: 2 }],
        },
      ]),
      'ok.json',
    );
    assert.deepEqual(
      scenario.steps.map((step) => step.timing),
      [
        { kind: 'start', offsetMs: 60_000 },
        { kind: 'previous', offsetMs: 90 },
        { kind: 'time', instant: Date.parse('2030-01-01T00:00:00Z') },
        { kind: 'control', name: 'go', afterMs: 5000 },
        { kind: 'control', name: 'back', afterMs: 0 },
        { kind: 'requests', match: { path: 'spot/instance-action', token: 'valid' }, count: 3, afterMs: 0 },
      ],
    );
  });

  const bad: [string, unknown, RegExp][] = [
    ['not an object', [], /"bad\.json": it is not a JSON object/],
    [
      'a wrong format',
      { ...file([{ name: 'a', instance: 'up' }]), format: 'aemm-cassette/1' },
      /format is "aemm-cassette\/1", not "aemm-scenario\/1"/,
    ],
    ['no steps', file([]), /has no steps/],
    ['a step without a name', file([{ at: '1s', instance: 'up' }]), /step \(#1\): has no plain "name"/],
    [
      'two steps with one name',
      file([
        { name: 'a', instance: 'up' },
        { name: 'a', instance: 'up' },
      ]),
      /step "a" \(#2\): has the name of an earlier step/,
    ],
    ['an unknown step setting', file([{ name: 'a', when: '1s', instance: 'up' }]), /step "a" \(#1\): the step has unknown setting "when"/],
    ['two timings', file([{ name: 'a', at: '1s', time: '2030-01-01T00:00:00Z', instance: 'up' }]), /step "a" \(#1\): gives at and time/],
    ['a bad duration', file([{ name: 'a', at: 'soon', instance: 'up' }]), /step "a" \(#1\): at "soon" is not a duration/],
    ['a step that changes nothing', file([{ name: 'a', at: '1s' }]), /step "a" \(#1\): changes nothing/],
    [
      'an unknown layer in apply',
      file([{ name: 'notice', apply: { spoot: 'terminate' } }]),
      /step "notice" \(#1\): apply refers to unknown layer "spoot"\. Use one of: spot, rebalance/,
    ],
    ['an unknown layer in clear', file([{ name: 'a', clear: ['spot', 'ghosts'] }]), /step "a" \(#1\): clear names unknown layer "ghosts"/],
    [
      'a bad layer setting',
      file([{ name: 'a', apply: { spot: { action: 'explode' } } }]),
      /step "a" \(#1\): Spot action "explode" is not allowed/,
    ],
    ['an unknown instance state', file([{ name: 'a', instance: 'gone' }]), /instance "gone" is unknown/],
    [
      'a rule with a status',
      file([{ name: 'a', rules: [{ match: { path: '**', status: 200 }, answer: 401 }] }]),
      /rules\[0\]\.match\.status cannot be used in a rule/,
    ],
    ['a bad rule answer', file([{ name: 'a', rules: [{ match: { path: '**' }, answer: 503 }] }]), /rules\[0\]\.answer 503 is unknown/],
    ['a trigger that is not one', file([{ name: 'a', on: { timer: 3 }, instance: 'up' }]), /has an "on" that is not a trigger/],
    [
      'a request trigger without a path',
      file([{ name: 'a', on: { requests: { count: 2 } }, instance: 'up' }]),
      /on\.requests needs a "path" glob/,
    ],
    [
      'a request trigger that counts 0',
      file([{ name: 'a', on: { requests: { path: 'x', count: 0 } }, instance: 'up' }]),
      /on\.requests\.count 0 is not a count/,
    ],
    [
      'a request trigger for no client',
      file([{ name: 'a', on: { requests: { path: 'x', clients: [] } }, instance: 'up' }]),
      /clients is empty, so no request can ever match/,
    ],
    [
      'a request trigger once the instance is gone',
      file([
        { name: 'gone', at: '1m', instance: 'refused' },
        { name: 'after', on: { requests: { path: 'spot/instance-action', count: 3 } }, apply: { rebalance: true } },
      ]),
      /step "after" \(#2\): waits for requests, which can never come: the instance is gone since step "gone"/,
    ],
  ];
  for (const [what, input, message] of bad) {
    test(`rejects ${what} with one line naming the file and step`, () => {
      assert.match(problem(input), message);
      assert.match(problem(input), /^Failed to load scenario "bad\.json": /);
    });
  }

  test('the schema rejects what the loader rejects for structure', () => {
    // Unique names and the layer settings inside apply are beyond what the schema describes.
    const loaderOnly = ['two steps with one name', 'a bad layer setting', 'a request trigger once the instance is gone'];
    for (const [what, input] of bad) {
      if (!loaderOnly.includes(what)) assert.equal(validate(input), false, `the schema accepts ${what}`);
    }
  });

  test("the README's example scenario file loads and matches the schema", () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const block = /```json\n(\{\n {2}"format": "aemm-scenario\/1"[\s\S]*?)```/.exec(readme);
    assert.ok(block, 'the README has an example scenario file');
    const example = JSON.parse(block[1]!) as unknown;
    assert.ok(validate(example), JSON.stringify(validate.errors));
    assert.equal(parseScenario(example, 'README.md').steps.length, 4);
  });

  // [what, the sqs section, what the loader says (undefined: accepted)]; the schema must agree on each.
  const sqsSections: [string, unknown, RegExp | undefined][] = [
    [
      'every setting',
      {
        queueUrl: 'http://127.0.0.1:5000/123456789012/nth',
        endpoint: 'http://127.0.0.1:5000',
        region: 'us-east-1',
        allowRemote: false,
        autoScalingGroupName: 'web',
        lifecycleHookName: 'drain',
        notificationMetadata: '{"k":1}',
      },
      undefined,
    ],
    ['only hook names (the queue from the flags)', { autoScalingGroupName: 'web' }, undefined],
    ['nothing at all', {}, undefined],
    [
      'a URL instead of an object',
      'http://127.0.0.1:5000/123456789012/nth',
      /^Failed to load scenario "bad\.json": sqs must be an object like \{"queueUrl": /,
    ],
    ['a list', [{ queueUrl: 'http://127.0.0.1:5000/1/q' }], /: sqs must be an object like/],
    [
      'an unknown setting',
      { queue: 'http://127.0.0.1:5000/1/q' },
      /: sqs has unknown setting "queue"\. Known settings: queueUrl, endpoint, region, allowRemote, autoScalingGroupName, lifecycleHookName, notificationMetadata\.$/,
    ],
    ['allowRemote as text', { queueUrl: 'http://127.0.0.1:5000/1/q', allowRemote: 'yes' }, /: sqs\.allowRemote must be true or false\.$/],
    ['a queue URL that is a number', { queueUrl: 5000 }, /: sqs\.queueUrl must be text\.$/],
    ['a region that is null', { queueUrl: 'http://127.0.0.1:5000/1/q', region: null }, /: sqs\.region must be text\.$/],
  ];
  for (const [what, sqs, message] of sqsSections) {
    test(`an sqs section with ${what}: the loader ${message ? 'refuses it in one line' : 'keeps it'}, and the schema agrees`, () => {
      const input = { ...file([{ name: 'notice', at: '1m', apply: { spot: 'terminate' } }]), sqs };
      assert.equal(
        validate(input),
        message === undefined,
        `the schema ${message ? 'accepts' : 'rejects'} it: ${JSON.stringify(validate.errors)}`,
      );
      if (message) assert.match(problem(input), message);
      else assert.deepEqual(parseScenario(input, 'ok.json').sqs, sqs);
    });
  }

  test('a scenario without an sqs section has none', () => {
    assert.equal('sqs' in parseScenario(file([{ name: 'a', instance: 'up' }]), 'ok.json'), false);
  });

  test('a request trigger is fine once the instance is back up', () => {
    const scenario = parseScenario(
      file([
        { name: 'gone', at: '1m', instance: 'refused' },
        { name: 'back', after: '1m', instance: 'up' },
        { name: 'poll', on: { requests: { path: 'ami-id' } }, apply: { rebalance: true } },
      ]),
      'ok.json',
    );
    assert.equal(scenario.steps.length, 3);
  });
});
