import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AemmError, InternalError, UsageError } from '../../src/core/errors.js';
import type { Redactor } from '../../src/recorder/create-redactor.js';
import { toRecordedCassette } from '../../src/recorder/to-recorded-cassette.js';

describe('errors', () => {
  test('an error keeps the error it wraps as its cause', () => {
    const cause = new Error('EACCES');
    const error = new UsageError('Cannot read "x.json". Check the path.', { cause });
    assert.equal(error.cause, cause);
    assert.equal(error.code, 'USAGE');
    assert.equal(new AemmError('CASSETTE_WRITE', 'x').cause, undefined);
  });

  test('a redaction that would leave a secret behind is our bug, not a user mistake', () => {
    const leaky = {
      scrub: (entries: object) => ({ ...entries }),
      findLeaks: () => ['/latest/meta-data/iam/security-credentials/role'],
      redacted: [],
    } as unknown as Redactor;
    assert.throws(
      () => toRecordedCassette({ source: 'http://127.0.0.1:1', entries: {}, redactor: leaky, subject: '"out.json"' }),
      (error: unknown) =>
        error instanceof InternalError &&
        !(error instanceof UsageError) &&
        error.code === 'REDACTION_FAILED' &&
        /Report this as a bug/.test(error.message),
    );
  });
});
