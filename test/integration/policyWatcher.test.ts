import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import type { PolicyFileRead } from '../../src/core/policy/file/read';
import { PolicyFileWatcher, type PolicyWatchOptions } from '../../src/core/policy/file/watch';
import { FakeClock } from '../support/fakeClock';

/**
 * The policy file watcher against real files in a temp dir. With fs events (real timers, the poll far
 * out of reach) each step waits for the watcher to report the expected state, with a timeout; the poll
 * fallback runs on a fake clock with fs events switched off.
 */

interface Followed {
  dir: string;
  file: string;
  watcher: PolicyFileWatcher;
  /** Resolves once the watcher has reported a read matching `expected` (now or later). */
  reaches: (expected: (read: PolicyFileRead) => boolean, what: string) => Promise<PolicyFileRead>;
  reads: PolicyFileRead[];
}

async function follow(
  options: PolicyWatchOptions,
  fn: (followed: Followed) => Promise<void>,
  file = '.vscode/dingtalk-mcp-policy.json',
  prepare?: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'policy-watch-')));
  const target = path.join(dir, file);
  await prepare?.(dir);
  const reads: PolicyFileRead[] = [];
  const waiters = new Set<() => void>();
  const watcher = await PolicyFileWatcher.open(
    target,
    (read) => {
      reads.push(read);
      for (const wake of [...waiters]) wake();
    },
    options,
  );
  const reaches = (expected: (read: PolicyFileRead) => boolean, what: string) =>
    new Promise<PolicyFileRead>((resolve, reject) => {
      if (expected(watcher.current)) return resolve(watcher.current);
      const timer = setTimeout(() => {
        waiters.delete(wake);
        reject(new Error(`the watcher did not report ${what} in time; it reported ${JSON.stringify(reads)}`));
      }, 5000);
      const wake = () => {
        if (!expected(watcher.current)) return;
        clearTimeout(timer);
        waiters.delete(wake);
        resolve(watcher.current);
      };
      waiters.add(wake);
    });
  try {
    await fn({ dir, file: target, watcher, reaches, reads });
  } finally {
    watcher.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

const holds = (text: string) => (read: PolicyFileRead) => read.kind === 'text' && read.text === text;
const missing = (read: PolicyFileRead) => read.kind === 'missing';
/** fs events only: the poll is a minute away. */
const EVENTS_ONLY: PolicyWatchOptions = { pollIntervalMs: 60_000, debounceMs: 10 };

test('a policy file created later, in a .vscode/ folder that did not exist at start, is followed', async () => {
  await follow(EVENTS_ONLY, async ({ dir, file, watcher, reaches }) => {
    assert.equal(watcher.current.kind, 'missing');
    await fs.mkdir(path.join(dir, '.vscode'));
    await fs.writeFile(file, 'one');
    await reaches(holds('one'), 'the new file');
  });
});

test('changed, deleted, moved away and back, its folder deleted and made again: the watcher follows', async () => {
  await follow(EVENTS_ONLY, async ({ dir, file, reaches }) => {
    const folder = path.join(dir, '.vscode');
    await fs.mkdir(folder);
    await fs.writeFile(file, 'one');
    await reaches(holds('one'), 'the first version');
    await fs.writeFile(file, 'two');
    await reaches(holds('two'), 'the edit');
    await fs.rm(file);
    await reaches(missing, 'the deletion');
    await fs.writeFile(path.join(folder, 'elsewhere.json'), 'three');
    await fs.rename(path.join(folder, 'elsewhere.json'), file);
    await reaches(holds('three'), "a file moved into place (an editor's atomic save)");
    await fs.rename(file, path.join(dir, 'moved-away.json'));
    await reaches(missing, 'the file moved away');
    await fs.rename(path.join(dir, 'moved-away.json'), file);
    await reaches(holds('three'), 'the file moved back');
    await fs.rm(folder, { recursive: true });
    await reaches(missing, 'the folder deleted');
    await fs.mkdir(folder);
    await fs.writeFile(file, 'four');
    await reaches(holds('four'), 'the folder made again with a new file');
    await fs.writeFile(file, 'five');
    await reaches(holds('five'), 'an edit in the new folder');
  });
});

test('folders several levels deep that do not exist yet', async () => {
  await follow(
    EVENTS_ONLY,
    async ({ file, reaches }) => {
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, 'deep');
      await reaches(holds('deep'), 'the file under new folders');
    },
    'a/b/c/policy.json',
  );
});

test('a symlinked policy file follows what it resolves to: edits of the target, a new target, a target gone', async () => {
  const prepare = async (dir: string) => {
    await fs.mkdir(path.join(dir, 'shared'));
    await fs.mkdir(path.join(dir, '.vscode'));
    await fs.writeFile(path.join(dir, 'shared', 'team.json'), 'team v1');
    await fs.writeFile(path.join(dir, 'shared', 'strict.json'), 'strict');
    await fs.symlink('../shared/team.json', path.join(dir, '.vscode', 'dingtalk-mcp-policy.json'));
  };
  await follow(
    EVENTS_ONLY,
    async ({ dir, file, watcher, reaches }) => {
      const team = path.join(dir, 'shared', 'team.json');
      assert.ok(holds('team v1')(watcher.current));
      assert.equal(watcher.current.kind === 'text' && watcher.current.resolvedPath, team);

      await fs.writeFile(team, 'team v2');
      await reaches(holds('team v2'), 'an edit of the target in another folder');

      // Point the link elsewhere the way tools do it: a new link renamed over the old one.
      await fs.symlink('../shared/strict.json', path.join(dir, '.vscode', 'next-link'));
      await fs.rename(path.join(dir, '.vscode', 'next-link'), file);
      const retargeted = await reaches(holds('strict'), 'the new target');
      assert.equal(retargeted.kind === 'text' && retargeted.resolvedPath, path.join(dir, 'shared', 'strict.json'));

      await fs.writeFile(path.join(dir, 'shared', 'strict.json'), 'strict v2');
      await reaches(holds('strict v2'), 'an edit of the new target');

      await fs.rm(path.join(dir, 'shared'), { recursive: true });
      const dangling = await reaches((read) => read.kind === 'unreadable', 'the target folder gone');
      assert.match(dangling.kind === 'unreadable' ? dangling.problem.message : '', /symbolic link to a file that does not exist/);

      await fs.mkdir(path.join(dir, 'shared'));
      await fs.writeFile(path.join(dir, 'shared', 'strict.json'), 'strict again');
      await reaches(holds('strict again'), 'the target made again');
    },
    '.vscode/dingtalk-mcp-policy.json',
    prepare,
  );
});

test('without any fs event (a network drive), the bounded poll still picks the file up', async () => {
  const clock = new FakeClock();
  await follow({ clock, pollIntervalMs: 2000, watchFolder: () => ({ close: () => undefined }) }, async ({ dir, file, watcher, reads }) => {
    await fs.mkdir(path.join(dir, '.vscode'));
    await fs.writeFile(file, 'polled');
    await clock.advance(1999);
    await watcher.idle();
    assert.deepEqual(reads, [], 'nothing before the poll is due');
    await clock.advance(1);
    await watcher.idle();
    assert.ok(holds('polled')(watcher.current));
    assert.equal(reads.length, 1);
    await clock.advance(2000);
    await watcher.idle();
    assert.equal(reads.length, 1, 'an unchanged file is not reported again');
  });
});

test('the poll interval is bounded: an absurd setting neither spins nor stops watching', async () => {
  const clock = new FakeClock();
  await follow({ clock, pollIntervalMs: 1, watchFolder: () => ({ close: () => undefined }) }, async ({ dir, file, watcher, reads }) => {
    await fs.mkdir(path.join(dir, '.vscode'));
    await fs.writeFile(file, 'soon');
    await clock.advance(249);
    await watcher.idle();
    assert.deepEqual(reads, [], 'no poll before 250 ms');
    await clock.advance(1);
    await watcher.idle();
    assert.ok(holds('soon')(watcher.current), 'polled at 250 ms');
  });
  const slow = new FakeClock();
  await follow({ clock: slow, pollIntervalMs: Number.MAX_SAFE_INTEGER, watchFolder: () => ({ close: () => undefined }) }, async ({ dir, file, watcher }) => {
    await fs.mkdir(path.join(dir, '.vscode'));
    await fs.writeFile(file, 'late');
    await slow.advance(60_000);
    await watcher.idle();
    assert.ok(holds('late')(watcher.current), 'polled within a minute');
  });
});

test('a busy watched folder (events every 50 ms) does not hold the check back until the poll', async () => {
  const clock = new FakeClock();
  const events: (() => void)[] = [];
  const options: PolicyWatchOptions = {
    clock,
    debounceMs: 100,
    pollIntervalMs: 60_000,
    watchFolder: (_folder, onEvent) => {
      events.push(onEvent);
      return { close: () => undefined };
    },
  };
  await follow(options, async ({ dir, file, watcher }) => {
    await fs.mkdir(path.join(dir, '.vscode'));
    await fs.writeFile(file, 'busy');
    for (let tick = 0; tick < 4; tick++) {
      for (const onEvent of events) onEvent();
      await clock.advance(50);
      await watcher.idle();
    }
    assert.ok(holds('busy')(watcher.current), 'checked within the burst');
  });
});
