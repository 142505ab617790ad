// The audit in VS Code: the person's audit file follows the settings, and Export Audit writes what is in memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { exportAudit, followAuditFile } from '../../src/extension/audit/auditFile';
import { harness } from '../support/fakeApis';

const event = (tool: string) => ({
  time: '2026-01-05T10:30:00.000Z',
  tool,
  decision: 'allow' as const,
  rule: 'default:allow',
  durationMs: 2,
  argsSha256: 'a'.repeat(64),
  shadow: { decision: 'deny' as const, rule: 'default:deny' },
});

test('Export Audit writes the recent calls, oldest first, as JSON lines only the person can read', async () => {
  const h = await harness();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'audit-export-'));
  const file = path.join(dir, 'out.jsonl');
  await fs.writeFile(file, 'old', { mode: 0o644 });
  h.services.audit.record(event('token_status'));
  h.services.audit.record(event('list_apps'));
  h.apis.window.savePath = file;
  await exportAudit(h.services);
  const lines = (await fs.readFile(file, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { tool: string; shadow: unknown });
  assert.deepEqual(
    lines.map((line) => [line.tool, line.shadow]),
    [
      ['token_status', { decision: 'deny', rule: 'default:deny' }],
      ['list_apps', { decision: 'deny', rule: 'default:deny' }],
    ],
  );
  assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
  await fs.rm(dir, { recursive: true, force: true });
});

test('the audit file setting appends every call to the file named, and stops when it is cleared', async () => {
  const h = await harness();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'audit-setting-'));
  const file = path.join(dir, 'audit.jsonl');
  h.settings.auditFile = file;
  const following = followAuditFile(h.services);
  h.services.audit.record(event('token_status'));
  h.settings.auditFile = '';
  following.settingsChanged();
  h.services.audit.record(event('list_apps'));
  following.dispose();
  // The queued write lands on its own; the file then holds the one call made while the setting named it.
  let text = '';
  for (let i = 0; i < 200 && !text; i++)
    text = await fs.readFile(file, 'utf8').catch(() => new Promise<string>((resolve) => setTimeout(() => resolve(''), 10)));
  assert.deepEqual(
    text
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { tool: string }).tool),
    ['token_status'],
  );
  assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
  await fs.rm(dir, { recursive: true, force: true });
});
