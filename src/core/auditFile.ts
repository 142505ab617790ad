import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { AuditEvent } from './audit';

/** 10 MB, then the file moves to `<file>.1` (replacing the previous one) and a new one starts. */
export const DEFAULT_AUDIT_FILE_MAX_BYTES = 10 * 1024 * 1024;

export interface AuditFileOptions {
  maxBytes?: number;
  /** Told once when writing fails (and again only after a write succeeded in between); calls go on regardless. */
  onWriteFailure?: (reason: string) => void;
}

/**
 * Every audit event appended to a file as one JSON line, for the person's log tools: created with mode 0600,
 * rotated by size keeping one previous file. Writes are queued in order and never hold up or change a decision;
 * the events carry digests of arguments, never their values.
 */
export class AuditFile {
  private queue: Promise<void> = Promise.resolve();
  private size: number | undefined;
  private failing = false;
  private readonly maxBytes: number;

  constructor(
    readonly file: string,
    private readonly options: AuditFileOptions = {},
  ) {
    this.maxBytes = Math.max(1024, options.maxBytes ?? DEFAULT_AUDIT_FILE_MAX_BYTES);
  }

  append(event: AuditEvent): void {
    const line = `${JSON.stringify(event)}\n`;
    this.queue = this.queue.then(() => this.write(line));
  }

  /** Resolves once every event appended so far is written (or has failed). */
  flushed(): Promise<void> {
    return this.queue;
  }

  private async write(line: string): Promise<void> {
    try {
      const bytes = Buffer.byteLength(line);
      this.size ??= await currentSize(this.file);
      if (this.size > 0 && this.size + bytes > this.maxBytes) {
        await fs.rename(this.file, `${this.file}.1`);
        this.size = 0;
      }
      await fs.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
      const handle = await fs.open(this.file, 'a', 0o600);
      try {
        // A file the person created beforehand may be readable by others; an audit trail is theirs alone.
        await handle.chmod(0o600);
        await handle.appendFile(line);
      } finally {
        await handle.close();
      }
      this.size += bytes;
      this.failing = false;
    } catch (error) {
      this.size = undefined;
      if (!this.failing) this.options.onWriteFailure?.((error as NodeJS.ErrnoException).code ?? String(error));
      this.failing = true;
    }
  }
}

async function currentSize(file: string): Promise<number> {
  try {
    return (await fs.stat(file)).size;
  } catch {
    return 0;
  }
}
