import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { findMoto, startMoto, type Moto } from '../helpers/moto.js';

/** What the tests of a `describeWithMoto` block reach: the suite's moto server once `before` ran. */
export interface MotoSuite {
  readonly moto: Moto;
}

/**
 * A describe block whose tests share one moto server on loopback, started before them and
 * stopped after. Without moto_server (or what `alsoNeeds` names) it skips with one line locally
 * and fails under CI, where .ci/run installs it.
 */
export function describeWithMoto(name: string, body: (suite: MotoSuite) => void, options: { alsoNeeds?: string } = {}): void {
  const missing = findMoto() ?? options.alsoNeeds;
  describe(name, () => {
    if (missing && !process.env.CI) {
      test(`skipped: ${missing}`, { skip: true }, () => {});
      return;
    }
    let moto: Moto | undefined;
    before(async () => {
      assert.equal(missing, undefined, `${missing}; CI must install it (.ci/run does).`);
      moto = await startMoto();
    });
    after(async () => moto?.stop());
    body({
      get moto() {
        assert.ok(moto, 'moto is not started yet: reach it from a test or a hook, not while declaring them');
        return moto;
      },
    });
  });
}
