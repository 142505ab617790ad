import * as fs from 'node:fs';
import { z } from 'zod/v4';

/**
 * The JSON of a file the standalone server's environment names (`variable`), which holds secrets: a problem names
 * the variable and the file, never the content (`holds` says what it would show).
 */
export function readSecretJsonFile(variable: string, file: string, holds: string): { parsed: unknown } | { problem: string } {
  let text: string;
  try {
    // Editors on Windows save UTF-8 with a byte-order mark, which JSON.parse does not accept.
    text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (error) {
    return { problem: `${variable} ${file} could not be read (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}).` };
  }
  try {
    return { parsed: JSON.parse(text) as unknown };
  } catch {
    // The parser's message quotes the text around the error, which may be a secret.
    return {
      problem: `${variable} ${file} is not valid JSON; check its quotes (double quotes only) and commas. Its content is not shown because the file holds ${holds}.`,
    };
  }
}

/** A JSON list of `entry`, where no two entries share `key`; a repeat is reported at the second one (see listedTwice). */
export function uniqueList<Entry extends z.ZodObject, Key extends keyof z.infer<Entry> & string>(entry: Entry, key: Key) {
  return z.array(entry).superRefine((entries, context) => {
    const seen = new Set<unknown>();
    entries.forEach((value, index) => {
      const id = (value as Record<Key, unknown>)[key];
      if (seen.has(id)) context.addIssue({ code: 'custom', path: [index, key], params: { listedTwice: id }, message: 'listed twice' });
      seen.add(id);
    });
  });
}

/** The repeated value when `issue` is uniqueList's, else undefined. */
export function listedTwice(issue: z.core.$ZodIssue | undefined): string | undefined {
  return issue?.code === 'custom' ? (issue.params as { listedTwice?: string } | undefined)?.listedTwice : undefined;
}
