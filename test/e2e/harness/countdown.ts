// Reading the countdown a person sees ("1:59:42") so a test can compare it with the token DingTalk issued,
// whenever the check runs, instead of a pattern that only matches in the token's first seconds.
import assert from 'node:assert/strict';

/** Seconds shown by the first h:mm:ss countdown in the text. */
export function countdownSeconds(text: string): number {
  const match = /(\d+):(\d\d):(\d\d)/.exec(text);
  assert.ok(match, `no countdown in "${text}"`);
  return Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3]);
}

/**
 * The countdown shows the time the token has left, give or take the second between two renders and the
 * moment between reading the screen and asking the emulator.
 */
export function assertCountdownNear(text: string, secondsLeft: number | undefined, slackSeconds = 3): void {
  assert.ok(secondsLeft !== undefined, 'DingTalk holds no token for this app');
  const shown = countdownSeconds(text);
  assert.ok(Math.abs(shown - secondsLeft) <= slackSeconds, `the countdown shows ${shown} s, the token has ${secondsLeft} s left ("${text}")`);
}
