// The extension's log channel (a fake of window.apis.ts): every line passes through the redactor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLog } from '../../src/extension/log';
import { Redactor } from '../../src/core/redact';
import { FakeLogChannel } from '../support/fakeUi';

test('a secret the redactor knows never reaches the log, at any level', () => {
  const channels: FakeLogChannel[] = [];
  const redactor = new Redactor();
  redactor.remember('s3cr3t-app-secret-value');
  const log = createLog(redactor, { createLogChannel: (name) => channels[channels.push(new FakeLogChannel(name)) - 1] ?? new FakeLogChannel(name) });
  log.info('fetched with s3cr3t-app-secret-value');
  log.warn('refused: s3cr3t-app-secret-value');
  log.error('failed s3cr3t-app-secret-value');
  const [channel] = channels;
  assert.ok(channel);
  assert.equal(channel.name, 'DingTalk Access Token');
  assert.equal(channel.lines.length, 3);
  assert.deepEqual(
    channel.lines.map((line) => line.split(' ')[0]),
    ['info', 'warn', 'error'],
  );
  assert.ok(!channel.lines.join('\n').includes('s3cr3t'), channel.lines.join('\n'));
  log.show();
  assert.equal(channel.shown, 1);
  log.dispose();
  assert.equal(channel.disposed, true);
});
