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

/**
 * An app row of the DingTalk view shows hours and whole minutes above an hour left ("1 h 59 min") and MM:SS
 * below: the time it shows is the token's, to the minute (or the second).
 */
export function assertRowCountdownNear(text: string, secondsLeft: number | undefined): void {
  assert.ok(secondsLeft !== undefined, 'DingTalk holds no token for this app');
  const hours = /(\d+) h (\d+) min/.exec(text);
  if (hours) {
    const shownMinutes = Number(hours[1]) * 60 + Number(hours[2]);
    const minutesLeft = Math.floor(secondsLeft / 60);
    assert.ok(Math.abs(shownMinutes - minutesLeft) <= 1, `the row shows ${shownMinutes} min, the token has ${minutesLeft} min left ("${text}")`);
    return;
  }
  const mmss = /(\d\d):(\d\d)/.exec(text);
  assert.ok(mmss, `no countdown in "${text}"`);
  const shown = Number(mmss[1]) * 60 + Number(mmss[2]);
  assert.ok(Math.abs(shown - secondsLeft) <= 3, `the row shows ${shown} s, the token has ${secondsLeft} s left ("${text}")`);
}
