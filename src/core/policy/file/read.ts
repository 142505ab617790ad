import { promises as fs } from 'node:fs';
import { policyProblem, type PolicyProblem, type PolicyProblemCode, type ProblemParams } from '../problems';

/**
 * Reading the MCP policy file, for the extension and the CLI alike. Only "there is no file" means "use the
 * built-in defaults"; anything else that stops us reading it (a directory, a symlink loop or a dangling
 * link, no permission, an absurd size) is a reason to deny every call, since the file may well have said
 * `default: "deny"`.
 */
export type PolicyFileRead =
  | { kind: 'missing' }
  | { kind: 'text'; text: string; /** The file the path resolves to (differs for symlinks). */ resolvedPath: string }
  | { kind: 'unreadable'; problem: PolicyProblem };

/** Policy files are a few kilobytes; anything this large is a mistake, and reading it would cost memory. */
export const MAX_POLICY_FILE_BYTES = 1024 * 1024;

export async function readPolicyFile(file: string): Promise<PolicyFileRead> {
  let size: number;
  try {
    const stat = await fs.stat(file);
    if (stat.isDirectory()) return unreadable('isDirectory');
    if (!stat.isFile()) return unreadable('notRegularFile');
    size = stat.size;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return (await isDanglingLink(file)) ? unreadable('danglingLink') : { kind: 'missing' };
    if (code === 'ELOOP') return unreadable('linkLoop');
    return unreadable('readFailed', { detail: describe(error) });
  }
  if (size > MAX_POLICY_FILE_BYTES) return unreadable('tooLarge', { size, max: MAX_POLICY_FILE_BYTES });
  try {
    const [buffer, resolvedPath] = await Promise.all([fs.readFile(file), fs.realpath(file)]);
    // It may have grown between stat and read.
    if (buffer.length > MAX_POLICY_FILE_BYTES) return unreadable('grewTooLarge', { max: MAX_POLICY_FILE_BYTES });
    return { kind: 'text', text: buffer.toString('utf8'), resolvedPath };
  } catch (error) {
    // Deleted between stat and read: that is a missing file, the next change event tells the rest.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    return unreadable('readFailed', { detail: describe(error) });
  }
}

/** True when two reads would give the engine the same policy (used to skip reloads that change nothing). */
export function samePolicyRead(a: PolicyFileRead, b: PolicyFileRead): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'text' && b.kind === 'text') return a.text === b.text && a.resolvedPath === b.resolvedPath;
  if (a.kind === 'unreadable' && b.kind === 'unreadable') return a.problem.message === b.problem.message;
  return true;
}

async function isDanglingLink(file: string): Promise<boolean> {
  try {
    return (await fs.lstat(file)).isSymbolicLink();
  } catch {
    return false;
  }
}

function unreadable(code: PolicyProblemCode, params: ProblemParams = {}): PolicyFileRead {
  return { kind: 'unreadable', problem: policyProblem(code, params) };
}

/** The error code and the system's words, without the path (messages name the file themselves). */
function describe(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  const reason = String(message ?? error)
    .replace(/^[A-Z]+: /, '')
    .replace(/, \w+ '.*'$/, '');
  return code ? `${reason} (${code})` : reason;
}
