// Page objects for what fills the editor area and the panel: editors (the Output panel is one) and webviews.
import type { Frame, Page } from 'playwright-core';
import { matches, waitUntil } from './wait';

export class Editors {
  constructor(private readonly page: Page) {}

  /**
   * Text of the lines an editor currently renders (Monaco draws only the visible lines), e.g. the
   * Output panel after "Show Output": `visibleEditorText('.panel .output-view')`.
   */
  async visibleText(container = '.monaco-workbench .editor-instance', timeoutMs = 10_000): Promise<string> {
    const lines = this.page.locator(`${container} .view-lines`).first();
    await lines.waitFor({ state: 'visible', timeout: timeoutMs });
    // Monaco positions lines absolutely; sort by their `top` to get document order.
    const rows = await lines
      .locator('.view-line')
      .evaluateAll((els: { style: { top: string }; textContent: string | null }[]) =>
        els.map((el) => ({ top: parseFloat(el.style.top) || 0, text: String(el.textContent ?? '') })),
      );
    return rows
      .sort((a, b) => a.top - b.top)
      .map((r) => r.text.replace(/\u00a0/g, ' '))
      .join('\n');
  }

  /** Visible text of the Output panel (open a channel first, e.g. with "Output: Show Output Channels..."). */
  async outputText(timeoutMs = 10_000): Promise<string> {
    return this.visibleText('.part.panel .output-view', timeoutMs);
  }
}

export class Webviews {
  constructor(private readonly page: Page) {}

  /**
   * The content frames of webviews. VS Code puts each webview in an <iframe class="webview"> that
   * hosts an inner <iframe id="active-frame"> with the extension's HTML; these are the inner ones.
   */
  frames(): Frame[] {
    return this.page.frames().filter((f) => {
      const parent = f.parentFrame();
      return parent !== null && parent !== this.page.mainFrame() && /\/webview\//.test(parent.url()) && /fake\.html|active-frame/.test(f.url() + f.name());
    });
  }

  /**
   * Body text of the webviews; with `match`, only those whose text or URL contains/matches it.
   * Returns the first matching text, or '' when there is none.
   */
  async text(match?: string | RegExp): Promise<string> {
    for (const frame of this.frames()) {
      const text = await frame
        .locator('body')
        .innerText({ timeout: 2000 })
        .catch(() => '');
      if (matches(text, match) || matches(frame.url(), match)) return text;
    }
    return '';
  }

  /** Waits for a webview whose text matches; returns its frame (to click or query inside it). */
  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<Frame> {
    return waitUntil(`a webview with text matching ${pattern}`, timeoutMs, async () => {
      for (const frame of this.frames()) {
        const text = await frame
          .locator('body')
          .innerText({ timeout: 1000 })
          .catch(() => '');
        if (pattern.test(text)) return frame;
      }
      return undefined;
    });
  }
}
