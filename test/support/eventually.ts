import assert from 'node:assert/strict';

/** Polls a condition (a child's stderr arrives apart from its answers) until it holds or the timeout passes. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`not met in time: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
