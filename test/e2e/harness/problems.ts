// Page object for the Problems panel: the entries a person reads there, each with its source and place.
import type { Page } from 'playwright-core';
import { waitUntil } from './wait';

export interface ProblemEntry {
  /** The whole row as shown: message, source, "[Ln 3, Col 14]". */
  text: string;
  line: number;
  column: number;
}

export class Problems {
  constructor(private readonly page: Page) {}

  /** Opens the Problems panel (it stays open while the test reads it). */
  async open(): Promise<void> {
    await this.page.keyboard.press('Control+Shift+M');
    await this.page.locator('.markers-panel').first().waitFor({ state: 'visible', timeout: 10_000 });
  }

  /** The marker entries the panel lists now (file rows left out). */
  async entries(): Promise<ProblemEntry[]> {
    const texts = await this.page.locator('.markers-panel .monaco-list-row').allInnerTexts();
    return texts.flatMap((raw) => {
      const text = raw.replace(/\s+/g, ' ').trim();
      const place = /\[Ln (\d+), Col (\d+)\]/.exec(text);
      return place ? [{ text, line: Number(place[1]), column: Number(place[2]) }] : [];
    });
  }

  /** Waits until the listed entries pass the check; returns them. */
  async waitFor(what: string, check: (entries: ProblemEntry[]) => boolean, timeoutMs = 20_000): Promise<ProblemEntry[]> {
    let last: ProblemEntry[] = [];
    return waitUntil(what, timeoutMs, async () => {
      last = await this.entries();
      return check(last) ? last : undefined;
    }).catch((error: Error) => {
      throw new Error(`${error.message}; the Problems panel lists ${JSON.stringify(last.map((entry) => entry.text))}`);
    });
  }
}
