import { test } from 'node:test';
import assert from 'node:assert/strict';
import { counterStoreUrl, type CounterStoreSecretHost } from '../../src/extension/mcp/counterStoreSecret';

/** A SecretStorage, the user's setting and the notifications, as plain values. */
function fakeHost(setting: string) {
  const stored = new Map<string, string>();
  const told: string[] = [];
  const state = { setting };
  const host: CounterStoreSecretHost = {
    secrets: { get: async (key) => stored.get(key), store: async (key, value) => void stored.set(key, value) },
    updateUserSetting: async (value) => void (state.setting = value),
    tell: (message) => void told.push(message),
  };
  return { host, stored, told, state };
}

test('a Redis password in the setting moves to SecretStorage, the setting is rewritten without it, and the person is told', async () => {
  const fake = fakeHost('redis://team:s3cret%40pass@cache.example:6380/2');
  const url = await counterStoreUrl(fake.state.setting, fake.host);
  assert.equal(url, 'redis://team:s3cret%40pass@cache.example:6380/2', 'the store still connects with the password');
  assert.equal(fake.state.setting, 'redis://team@cache.example:6380/2');
  assert.deepEqual([...fake.stored.values()], ['s3cret@pass']);
  assert.equal(fake.told.length, 1);
  assert.match(fake.told[0] ?? '', /SecretStorage/);

  const later = await counterStoreUrl(fake.state.setting, fake.host);
  assert.equal(later, 'redis://team:s3cret%40pass@cache.example:6380/2', 'the next start finds the password again');
  assert.equal(fake.told.length, 1, 'told once');
});

test('a stored password belongs to its host: another Redis and a file store do not get it', async () => {
  const fake = fakeHost('rediss://:pw@a.example:6379/0');
  await counterStoreUrl(fake.state.setting, fake.host);
  assert.equal(await counterStoreUrl('rediss://b.example:6379/0', fake.host), 'rediss://b.example:6379/0');
  assert.equal(await counterStoreUrl('', fake.host), '');
  assert.equal(await counterStoreUrl('not a url', fake.host), 'not a url');
});
