// Type-level tests too: test/tsconfig.json type-checks this file in `npm test`, so each
// `@ts-expect-error` fails the suite if the line it marks ever compiles.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UsageError } from '../../src/core/errors.js';
import type { LayerSettings } from '../../src/core/layers/layer-settings.js';
import { createReplayEngine } from '../../src/core/replay-engine.js';
import { startServer } from '../../src/server/start-server.js';
import { createTinyCassette } from '../helpers/tiny-cassette.js';

const WALL = Date.parse('2026-11-26T10:30:00Z');
const create = () => createReplayEngine({ cassette: createTinyCassette(), secret: 's', clock: () => WALL });

describe('typed layer settings', () => {
  test('a setting outside the vocabulary does not compile, and is refused at run time too', () => {
    const { control } = create();
    // @ts-expect-error: 'explode' is no spot action
    assert.throws(() => control.spot({ action: 'explode' }), UsageError);
    // @ts-expect-error: no such event code
    assert.throws(() => control.event({ code: 'instance-explode' }), UsageError);
    // @ts-expect-error: no such ASG state
    assert.throws(() => control.asg({ state: 'Exploded' }), UsageError);
    // @ts-expect-error: a fault needs a path
    assert.throws(() => control.fault({ status: 503 }), UsageError);
    // @ts-expect-error: not a layer kind
    assert.throws(() => control.clear('explosions'), UsageError);
    // @ts-expect-error: misspelt setting
    assert.throws(() => control.apply({ spott: 'stop' }), UsageError);
  });

  test('every shorthand the settings allow is accepted', () => {
    const { control } = create();
    const settings: LayerSettings = {
      spot: 'hibernate',
      rebalance: true,
      events: { code: 'instance-stop', delay: 90_000 },
      asg: true,
      tags: false,
      throttle: 100,
      imdsv2: true,
    };
    assert.equal(control.apply(settings).imdsv2, 'required');
    assert.equal(
      control
        .spot('stop')
        .mocks.find((mock) => mock.kind === 'spot')
        ?.detail.startsWith('stop'),
      true,
    );
  });

  test('await using closes the server at the end of the scope', async () => {
    let url: string;
    {
      await using imds = await startServer({ port: 0, cassette: createTinyCassette(), mocks: { spot: { action: 'stop', delay: '2m' } } });
      url = imds.url;
      assert.equal((await fetch(`${url}/latest/meta-data/instance-id`)).status, 200);
    }
    await assert.rejects(fetch(`${url}/latest/meta-data/instance-id`));
  });
});
