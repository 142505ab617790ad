/**
 * The soak's log check: every line the servers log (the in-process server's log, each stdio server's stderr)
 * is searched for an app secret or any token handed out so far; the report counts the lines that held one.
 */
export class LeakWatch {
  private count = 0;

  constructor(
    private readonly secrets: readonly string[],
    private readonly handedOut: ReadonlySet<string>,
  ) {}

  /** Log lines seen so far that held a secret or a token. */
  get leaks(): number {
    return this.count;
  }

  check(line: string): void {
    if (this.holdsSecret(line)) this.count++;
  }

  /** A listener for a child's stderr: splits the chunks into lines and checks each complete one. */
  lineListener(): (chunk: Buffer) => void {
    let pending = '';
    return (chunk) => {
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) this.check(line);
    };
  }

  private holdsSecret(text: string): boolean {
    if (this.secrets.some((secret) => text.includes(secret))) return true;
    for (const token of this.handedOut) if (text.includes(token)) return true;
    return false;
  }
}
