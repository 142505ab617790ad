// Page object for the status bar.
import type { Page } from 'playwright-core';
import { matches, waitUntil } from './wait';

export interface StatusBarItem {
  /** The entry's element id, e.g. "publisher.name.itemId" for an extension's item. */
  id: string;
  /** Visible text (codicons such as $(key) render as icons and are not included). */
  text: string;
  ariaLabel: string;
}

/** What items() reads of an item in the page (the tsconfig has no DOM lib). */
interface ItemElement {
  id: string;
  innerText: string;
  getBoundingClientRect(): { width: number; height: number };
  querySelector(selector: string): { getAttribute(name: string): string | null } | null;
}

export class StatusBar {
  constructor(private readonly page: Page) {}

  async items(): Promise<StatusBarItem[]> {
    // One read of the DOM: an item read through its own locator could be removed under it (an item hidden as
    // the extension re-renders), leaving the read to wait for an element that no longer exists.
    return this.page.locator('.statusbar .statusbar-item').evaluateAll((items: ItemElement[]) =>
      items
        .filter((item) => {
          const box = item.getBoundingClientRect();
          return box.width > 0 && box.height > 0;
        })
        .map((item) => ({
          id: item.id,
          text: item.innerText.replace(/\s+/g, ' ').trim(),
          ariaLabel: item.querySelector('a, [aria-label]')?.getAttribute('aria-label') ?? '',
        })),
    );
  }

  /** Texts of the visible status bar items, optionally only those whose text or aria-label matches. */
  async texts(filter?: string | RegExp): Promise<string[]> {
    return (await this.items()).filter((i) => i.text && (matches(i.text, filter) || (filter !== undefined && matches(i.ariaLabel, filter)))).map((i) => i.text);
  }

  /**
   * How the first item whose text matches is painted: its classes (VS Code adds warning-kind / error-kind and
   * has-background-color for an item given a background) and its computed background beside a plain item's.
   */
  async look(pattern: RegExp): Promise<{ classes: string[]; background: string; plainBackground: string }> {
    const item = this.page.locator('.statusbar .statusbar-item', { hasText: pattern }).first();
    const plain = this.page.locator('.statusbar .statusbar-item:not(.has-background-color)').first();
    const background = (element: { ownerDocument: { defaultView: { getComputedStyle(e: unknown): { backgroundColor: string } } } }) =>
      element.ownerDocument.defaultView.getComputedStyle(element).backgroundColor;
    return {
      classes: ((await item.getAttribute('class')) ?? '').split(/\s+/),
      background: await item.evaluate(background),
      plainBackground: await plain.evaluate(background),
    };
  }

  /** Waits for a status bar item whose text matches; returns that text. */
  async waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    return waitUntil(`a status bar item matching ${pattern}`, timeoutMs, async () => (await this.texts()).find((t) => pattern.test(t))).catch(
      async (err: Error) => {
        throw new Error(`${err.message}; status bar shows: ${JSON.stringify(await this.texts().catch(() => []))}`);
      },
    );
  }
}
