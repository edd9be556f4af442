import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { send } from '../helpers/http.js';
import { startAemm } from './spawn-ec2-metadata-mock.js';

let home: string;
before(async () => {
  home = await mkdtemp(join(tmpdir(), 'aemm-home-'));
});
after(() => rm(home, { recursive: true, force: true }));

interface Status {
  mocks: { kind: string; detail: string }[];
}

async function spotStatusAndServed(args: string[]): Promise<{ detail: string; served: string }> {
  const aemm = await startAemm(['-n', '127.0.0.1', '-p', '0', '--control', 'spot', ...args], { env: { HOME: home } });
  try {
    const status = JSON.parse((await send(aemm.url, '/__aemm/status')).text) as Status;
    const served = (JSON.parse((await send(aemm.url, '/latest/meta-data/spot/instance-action')).text) as { time: string }).time;
    return { detail: status.mocks.find((mock) => mock.kind === 'spot')!.detail, served };
  } finally {
    await aemm.stop();
  }
}

test('control status reports the spot time the drop-in serves: a fixed --time as given', async () => {
  const { detail, served } = await spotStatusAndServed(['-a', 'stop', '-t', '2020-01-07T01:03:47Z']);
  assert.equal(served, '2020-01-07T01:03:47Z');
  assert.equal(detail, 'stop, time 2020-01-07T01:03:47.000Z');
});

test('control status says the spot time follows each request when none is fixed, as AEMM serves it', async () => {
  const { detail, served } = await spotStatusAndServed([]);
  assert.ok(Math.abs(Date.parse(served) - (Date.now() + 120_000)) < 5_000, served);
  assert.equal(detail, 'terminate, time request time + 2 min');
});
