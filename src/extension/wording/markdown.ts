// Text placed into Markdown that VS Code renders (tooltips, hovers): shown as written, never as Markdown.

/** Plain text in running Markdown: every character Markdown could read as syntax is escaped. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

/**
 * Text as inline code. Backslash escapes are literal inside a code span (they would show as `ux\-run2`), so the
 * text goes in as is, between backtick fences longer than any run of backticks it holds.
 */
export function codeSpan(text: string): string {
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  // A space inside the fences keeps a leading or trailing backtick from joining them; Markdown strips one each side.
  const padded = text.startsWith('`') || text.endsWith('`') ? ` ${text} ` : text;
  return `${fence}${padded}${fence}`;
}
