import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UsageError } from '../../src/core/errors.js';
import { getAemmValue } from '../../src/aemm/aemm-tree.js';
import { loadAemmConfig, toAemmEnvName } from '../../src/aemm/load-aemm-config.js';
import { parseAemmArgs } from '../../src/aemm/parse-aemm-args.js';

const START = Date.UTC(2021, 4, 10, 21, 22, 30);

function load(args: string[], env: Record<string, string> = {}, utcOffsetMinutes = 0) {
  const invocation = parseAemmArgs(args);
  assert.equal(invocation.action, 'run');
  return loadAemmConfig({ flags: invocation.action === 'run' ? invocation.flags : [], env, now: START, utcOffsetMinutes });
}

describe('loadAemmConfig', () => {
  test('environment names follow viper: prefix AEMM, "-" and "." become "_"', () => {
    assert.equal(toAemmEnvName('spot.rebalance-rec-time'), 'AEMM_SPOT_REBALANCE_REC_TIME');
    assert.equal(toAemmEnvName('metadata.values.iam-info.code'), 'AEMM_METADATA_VALUES_IAM_INFO_CODE');
    assert.equal(toAemmEnvName('server.port'), 'AEMM_SERVER_PORT');
  });

  test('without HOME it warns as AEMM does and looks for no config file', async () => {
    const config = await load([]);
    assert.deepEqual(config.messages, [
      { stream: 'log', text: 'Warning: Failed to find home directory due to error: $HOME is not defined' },
    ]);
    assert.equal(config.settings.port, '1338');
    assert.equal(config.settings.hostname, '0.0.0.0');
    assert.equal(config.settings.mockIpCount, 2);
  });

  test('default event times are the start time in the local zone, plus 7 and 9 days', async () => {
    const { settings } = await load([], {}, -300);
    assert.deepEqual(settings.events, {
      code: 'system-reboot',
      state: 'active',
      notBefore: '2021-05-10T16:22:30-05:00',
      notAfter: '2021-05-17T16:22:30-05:00',
      notBeforeDeadline: '2021-05-19T16:22:30-05:00',
    });
  });

  test("env text is typed as viper's Unmarshal types it; a flag wins over it", async () => {
    assert.equal((await load([], { AEMM_MOCK_DELAY_SEC: '0x10', AEMM_IMDSV2: 'T' })).settings.mockDelaySec, 16);
    assert.equal((await load([], { AEMM_IMDSV2: 'T' })).settings.imdsv2, true);
    assert.equal((await load(['-d', '3'], { AEMM_MOCK_DELAY_SEC: '10' })).settings.mockDelaySec, 3);
    await assert.rejects(
      load([], { AEMM_MOCK_DELAY_SEC: 'soon' }),
      (error: unknown) =>
        error instanceof UsageError &&
        error.message === 'Config value mock-delay-sec "soon" is not a whole number. Fix AEMM_MOCK_DELAY_SEC or the config file.',
    );
  });

  test('an overridden role moves the credentials path and says so', async () => {
    const config = await load([], { AEMM_METADATA_VALUES_IAM_SECURITY_CREDENTIALS_ROLE: 'web' });
    assert.equal(getAemmValue(config.tree, 'metadata.paths.iam-security-credentials'), '/latest/meta-data/iam/security-credentials/web');
    assert.ok(
      config.messages.some(
        (message) =>
          message.text ===
          'Updating path from /latest/meta-data/iam/security-credentials/baskinc-role to /latest/meta-data/iam/security-credentials/web',
      ),
    );
  });

  test('a path set explicitly is not moved by its placeholder', async () => {
    const config = await load([], {
      AEMM_METADATA_VALUES_MAC: 'FOO',
      AEMM_METADATA_PATHS_MAC_MAC: '/latest/meta-data/network/interfaces/macs/BAR/mac',
    });
    assert.equal(getAemmValue(config.tree, 'metadata.paths.mac-mac'), '/latest/meta-data/network/interfaces/macs/BAR/mac');
    assert.equal(getAemmValue(config.tree, 'metadata.paths.mac-vpc-id'), '/latest/meta-data/network/interfaces/macs/FOO/vpc-id');
  });

  test('values of the default stay untouched when nothing is overridden', async () => {
    const config = await load([]);
    assert.ok(!config.messages.some((message) => message.text.startsWith('Updating path')));
  });
});
