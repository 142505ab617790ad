import assert from 'node:assert/strict';
import { DingTalkError } from '../../src/core/dingtalk/errors';

/** The DingTalkError a promise rejects with; fails the test if it resolves or rejects with anything else. */
export async function dingTalkFailure(promise: Promise<unknown>): Promise<DingTalkError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof DingTalkError, `expected a DingTalkError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the call to fail');
}
