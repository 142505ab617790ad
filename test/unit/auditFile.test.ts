import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AuditTrail, type AuditEvent } from '../../src/core/audit';
import { AuditFile } from '../../src/core/auditFile';

const event = (tool: string, extra: Partial<AuditEvent> = {}): AuditEvent => ({
  time: '2026-12-03T08:00:00.000Z',
  tool,
  app: 'dingexampleappkey',
  decision: 'allow',
  rule: 'default:allow',
  durationMs: 3,
  argsSha256: 'a'.repeat(64),
  sessionId: 'session-1',
  ...extra,
});

async function tempFile(): Promise<string> {
  return path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'audit-file-')), 'audit.jsonl');
}

test('each tool call becomes one JSON line, readable only by its owner, with the shadow decision and no argument values', async () => {
  const file = await tempFile();
  const audit = new AuditFile(file);
  const trail = new AuditTrail();
  trail.onDidRecord((recorded) => audit.append(recorded));
  // An event built from a request may carry more than the audit declares; none of it reaches the file.
  trail.record({
    ...event('send_robot_message', { shadow: { decision: 'deny', rule: 'tools.send_robot_message.rules[0]' } }),
    args: { text: 'SECRET-TEXT' },
  } as AuditEvent);
  trail.record(event('token_status'));
  await audit.flushed();
  const lines = (await fs.readFile(file, 'utf8')).trimEnd().split('\n');
  assert.equal(lines.length, 2);
  const first = JSON.parse(lines[0] ?? '') as AuditEvent;
  assert.deepEqual(first.shadow, { decision: 'deny', rule: 'tools.send_robot_message.rules[0]' });
  assert.equal(first.sessionId, 'session-1');
  assert.doesNotMatch(lines.join('\n'), /SECRET-TEXT/);
  assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
});

test('a file the person created readable by others is made theirs alone on the first write', async () => {
  const file = await tempFile();
  await fs.writeFile(file, '', { mode: 0o644 });
  const audit = new AuditFile(file);
  audit.append(event('list_apps'));
  await audit.flushed();
  assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
});

test('past its size the file moves to .1 (one previous file kept) and a new one starts', async () => {
  const file = await tempFile();
  const audit = new AuditFile(file, { maxBytes: 1024 });
  for (let i = 0; i < 20; i++) audit.append(event(`tool_${i}`));
  await audit.flushed();
  const current = (await fs.readFile(file, 'utf8')).trimEnd().split('\n');
  const previous = (await fs.readFile(`${file}.1`, 'utf8')).trimEnd().split('\n');
  assert.ok((await fs.stat(file)).size <= 1024 && (await fs.stat(`${file}.1`)).size <= 1024);
  assert.equal((JSON.parse(current.at(-1) ?? '') as AuditEvent).tool, 'tool_19', 'the newest event is in the current file');
  assert.ok(previous.length > 0 && current.length + previous.length < 20, 'older events beyond one previous file are gone');
});

test('a file that cannot be written is reported once, and the calls go on', async () => {
  const dir = path.dirname(await tempFile());
  const blocker = path.join(dir, 'not-a-directory');
  await fs.writeFile(blocker, '');
  const failures: string[] = [];
  const audit = new AuditFile(path.join(blocker, 'audit.jsonl'), { onWriteFailure: (reason) => failures.push(reason) });
  for (let i = 0; i < 3; i++) audit.append(event('token_status'));
  await audit.flushed();
  assert.equal(failures.length, 1, `reported once: ${failures.join(', ')}`);
});
