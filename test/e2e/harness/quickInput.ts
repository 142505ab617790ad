// Page object for VS Code's quick input: the command palette, quick picks and input boxes.
import type { Locator, Page } from 'playwright-core';
import { waitUntil } from './wait';

const QUICK_INPUT = '.quick-input-widget';
const QUICK_INPUT_BOX = '.quick-input-widget .quick-input-box input';
const QUICK_ROWS = '.quick-input-widget .quick-input-list .monaco-list-row';

/** The few page globals watchForHide uses (the tsconfig has no DOM lib). */
interface PageGlobals {
  __e2eQuickInputHidden?: boolean;
  __e2eQuickInputObserver?: { disconnect(): void };
  __e2eEnterReachedBox?: boolean;
  __e2eEnterListener?: (event: { key: string; target: unknown }) => void;
  document: {
    querySelector(selector: string): { style: { display: string }; contains(node: unknown): boolean } | null;
    addEventListener(type: 'keydown', listener: (event: { key: string; target: unknown }) => void, capture: boolean): void;
    removeEventListener(type: 'keydown', listener: (event: { key: string; target: unknown }) => void, capture: boolean): void;
  };
  MutationObserver: new (callback: (mutations: { oldValue: string | null }[]) => void) => {
    observe(target: unknown, options: { attributes: boolean; attributeFilter: string[]; attributeOldValue: boolean }): void;
    disconnect(): void;
  };
}

/** What items() reads of a row in the page (the tsconfig has no DOM lib). */
interface RowElement {
  getBoundingClientRect(): { width: number; height: number };
  querySelector(selector: string): { innerText: string } | null;
  getAttribute(name: string): string | null;
  classList: { contains(name: string): boolean };
  innerText: string;
}
type StyleGlobals = { getComputedStyle(element: RowElement): { visibility: string } };

/** A row of the open quick pick: its label (first line), aria-label, and whether it is the highlighted one. */
export interface QuickPickEntry {
  label: string;
  ariaLabel: string;
  focused: boolean;
}

export class QuickInput {
  constructor(readonly page: Page) {}

  widget(): Locator {
    return this.page.locator(QUICK_INPUT);
  }

  box(): Locator {
    return this.page.locator(QUICK_INPUT_BOX);
  }

  /** Waits until the quick input widget is shown; returns its input element. */
  async waitForOpen(timeoutMs = 10_000): Promise<Locator> {
    await this.widget().waitFor({ state: 'visible', timeout: timeoutMs });
    const box = this.box();
    await box.waitFor({ state: 'visible', timeout: timeoutMs });
    return box;
  }

  async isOpen(): Promise<boolean> {
    return this.widget().isVisible();
  }

  /** Texts of the quick input's title, prompt/message and placeholder, for checks on which box is open. */
  async info(): Promise<{ title: string; message: string; placeholder: string; value: string }> {
    const w = this.widget();
    const text = async (sel: string) => ((await w.locator(sel).first().isVisible()) ? (await w.locator(sel).first().innerText()).trim() : '');
    const box = this.box();
    return {
      title: await text('.quick-input-title'),
      message: await text('.quick-input-message'),
      placeholder: (await box.getAttribute('placeholder')) ?? '',
      value: await box.inputValue(),
    };
  }

  /**
   * Visible rows of the open quick pick: label (first line) and whether the row is the focused one. Hidden
   * rows are left out: the widget can keep rows of an earlier pick in the DOM.
   */
  async items(): Promise<QuickPickEntry[]> {
    // One read of the DOM: the list re-renders as it filters, and a row read through its own locator could be
    // replaced under it, leaving the read to wait for a row that no longer exists.
    return this.page.locator(QUICK_ROWS).evaluateAll((rows: RowElement[]) =>
      rows
        .filter((row) => {
          const box = row.getBoundingClientRect();
          return box.width > 0 && box.height > 0 && (globalThis as unknown as StyleGlobals).getComputedStyle(row).visibility !== 'hidden';
        })
        .map((row) => ({
          label: (row.querySelector('.quick-input-list-label .label-name') ?? row).innerText.split('\n')[0]!.trim(),
          ariaLabel: row.getAttribute('aria-label') ?? '',
          focused: row.classList.contains('focused'),
        })),
    );
  }

  /** The open quick pick's entries, once it shows any (a quick pick renders its rows after it opens). */
  async waitForItems(timeoutMs = 10_000): Promise<QuickPickEntry[]> {
    return waitUntil('quick pick entries', timeoutMs, async () => {
      const items = await this.items();
      return items.length > 0 ? items : undefined;
    });
  }

  /** Waits until the open quick pick lists an entry whose label matches `label`. */
  async waitForItem(label: RegExp, timeoutMs = 10_000): Promise<QuickPickEntry> {
    return waitUntil(`quick pick entry ${String(label)}`, timeoutMs, async () => (await this.items()).find((item) => label.test(item.label)));
  }

  /** Types text into the open input box (not the command palette) and presses Enter. */
  async answer(text: string, timeoutMs = 10_000): Promise<void> {
    const box = await this.waitForInputBox(timeoutMs);
    await this.fill(box, text, timeoutMs);
    await this.pressEnter(timeoutMs);
  }

  /** Types `text` over the box's value, again until the box shows it (a keystroke sent while focus moved is lost). */
  private async fill(box: Locator, text: string, timeoutMs: number): Promise<void> {
    await waitUntil(`"${text}" typed into the input box`, timeoutMs, async () => {
      await box.fill(text);
      return (await box.inputValue()) === text;
    });
  }

  /**
   * Presses Enter in the input box until the key reaches it. Part of the workbench that restores its own focus
   * late (the walkthrough's page does, once it has rendered) can take focus between Playwright focusing the box
   * and the key going down; that Enter lands elsewhere and the box never hears it. A listener on the quick input
   * says whether the key arrived, so a lost Enter is pressed again and an arrived one never twice.
   */
  private async enterInBox(box: Locator, timeoutMs: number): Promise<void> {
    await waitUntil('Enter to reach the input box', timeoutMs, async () => {
      await this.watchForEnter();
      await box.press('Enter');
      return this.enterArrived();
    });
  }

  /** Starts noting whether the next Enter goes down inside the quick input (see enterArrived). */
  async watchForEnter(): Promise<void> {
    await this.page.evaluate((sel: string) => {
      const g = globalThis as unknown as PageGlobals;
      if (g.__e2eEnterListener) g.document.removeEventListener('keydown', g.__e2eEnterListener, true);
      g.__e2eEnterReachedBox = false;
      g.__e2eEnterListener = (event) => {
        if (event.key === 'Enter' && g.document.querySelector(sel)?.contains(event.target)) g.__e2eEnterReachedBox = true;
      };
      g.document.addEventListener('keydown', g.__e2eEnterListener, true);
    }, QUICK_INPUT);
  }

  /** Whether an Enter went down inside the quick input since watchForEnter. */
  async enterArrived(): Promise<boolean> {
    return this.page.evaluate(() => Boolean((globalThis as unknown as PageGlobals).__e2eEnterReachedBox));
  }

  /**
   * Types text into the open input box and presses Enter without waiting for the box to close: for a box that
   * checks the answer and may stay open with a message (see waitForMessage).
   */
  async submit(text: string, timeoutMs = 10_000): Promise<void> {
    const box = await this.waitForInputBox(timeoutMs);
    await this.fill(box, text, timeoutMs);
    await this.enterInBox(box, timeoutMs);
  }

  /** Waits until the open input box shows a message (prompt or validation) matching the pattern; returns it. */
  async waitForMessage(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
    return waitUntil(`an input box message matching ${pattern}`, timeoutMs, async () => {
      const { message } = await this.info();
      return pattern.test(message) ? message : undefined;
    }).catch(async (err: Error) => {
      throw new Error(`${err.message}; ${await this.describe()}`);
    });
  }

  /**
   * Presses Enter in the open input box (accepting its current value) and waits until the box was taken:
   * VS Code hides the widget on accept, even when the next prompt reuses it at once. A validation message
   * that keeps the box open is reported in the error.
   */
  async pressEnter(timeoutMs = 10_000): Promise<void> {
    const box = await this.waitForInputBox(timeoutMs);
    await this.watchForHide();
    await this.enterInBox(box, timeoutMs);
    await waitUntil('the input box to take the answer', timeoutMs, async () => (await this.wasHidden()) || !(await this.isOpen())).catch(async (err: Error) => {
      const message = (await this.info().catch(() => undefined))?.message;
      throw new Error(`${err.message}${message ? `; the box says: ${message}` : ''}`);
    });
  }

  /**
   * Starts noting whether the quick input widget gets hidden. A command that shows two input boxes in a
   * row hides and re-shows the same widget faster than polling can see, so a MutationObserver notes it;
   * hide and show can land in one batch of mutations, so the style each mutation replaced counts too.
   */
  async watchForHide(): Promise<void> {
    await this.page.evaluate((sel: string) => {
      const g = globalThis as unknown as PageGlobals;
      g.__e2eQuickInputHidden = false;
      g.__e2eQuickInputObserver?.disconnect();
      const widget = g.document.querySelector(sel);
      if (!widget) return;
      const hidden = (style: string | null) => /display:\s*none/.test(style ?? '');
      const observer = new g.MutationObserver((mutations) => {
        if (widget.style.display === 'none' || mutations.some((m) => hidden(m.oldValue))) g.__e2eQuickInputHidden = true;
      });
      observer.observe(widget, { attributes: true, attributeFilter: ['style'], attributeOldValue: true });
      g.__e2eQuickInputObserver = observer;
    }, QUICK_INPUT);
  }

  async wasHidden(): Promise<boolean> {
    return this.page.evaluate(() => Boolean((globalThis as unknown as PageGlobals).__e2eQuickInputHidden));
  }

  /** What the quick input shows now, for an error message: hidden, or its title, message and entries. */
  async describe(): Promise<string> {
    if (!(await this.isOpen().catch(() => false))) return 'no quick input is open';
    const info = await this.info().catch(() => undefined);
    const items = (await this.items().catch(() => [])).map((item) => item.label);
    return `the quick input shows title ${JSON.stringify(info?.title ?? '')}, message ${JSON.stringify(info?.message ?? '')}, entries ${JSON.stringify(items)}`;
  }

  private async waitForInputBox(timeoutMs: number): Promise<Locator> {
    return waitUntil('an input box', timeoutMs, async () => {
      const box = await this.waitForOpen(timeoutMs);
      return (await box.inputValue()).startsWith('>') ? undefined : box;
    });
  }

  /**
   * Accepts the quick pick entry whose label equals `label` (or matches the RegExp) the way a keyboard user
   * does: highlight it with the arrow keys, then Enter. (A mouse click can land while the list is still
   * being laid out, and then waits on a row that never becomes clickable.) With `failWhenClosed`, a pick that
   * does not open or closes first is reported as QuickInputClosed (see Palette.runAndPick).
   */
  async pick(label: string | RegExp, timeoutMs = 10_000, failWhenClosed = false): Promise<void> {
    const what = `quick pick item ${String(label)}`;
    await this.waitForOpen(timeoutMs).catch((error: unknown) => {
      throw failWhenClosed ? new QuickInputClosed(what) : error;
    });
    const test = (s: string) => (typeof label === 'string' ? s === label : label.test(s));
    await this.focusItem(what, test, timeoutMs, failWhenClosed);
    await this.page.keyboard.press('Enter');
  }

  /**
   * Moves the quick pick's highlight onto the first visible entry whose label passes `wanted`. A quick input that
   * is closed meanwhile is waited for (a multi-step input hides and shows it between steps), or with
   * `failWhenClosed`, reported at once as QuickInputClosed.
   */
  async focusItem(what: string, wanted: (label: string) => boolean, timeoutMs: number, failWhenClosed = false): Promise<void> {
    const outcome = await waitUntil(what, timeoutMs, async () => {
      if (failWhenClosed && !(await this.isOpen())) return 'closed';
      const items = await this.items();
      const index = items.findIndex((i) => wanted(i.label));
      if (index < 0) return undefined;
      if (items[index]!.focused) return 'focused';
      // Not the highlighted one (e.g. a longer title ranks first): move the highlight towards it.
      await this.page.keyboard.press(index < items.findIndex((i) => i.focused) ? 'ArrowUp' : 'ArrowDown');
      return undefined;
    }).catch(async (err: Error) => {
      throw new Error(`${err.message}; ${await this.describe()}`);
    });
    if (outcome === 'closed') throw new QuickInputClosed(what);
  }
}

/** The quick input closed before the entry a test waited for was highlighted. */
export class QuickInputClosed extends Error {
  constructor(what: string) {
    super(`The quick input closed while waiting for ${what}`);
  }
}

/** The command palette: runs a command by the title a person sees. */
export class Palette {
  constructor(private readonly quickInput: QuickInput) {}

  /**
   * Opens the command palette (F1), types the command's full title as shown there ("Category: Title"),
   * waits until that exact entry is the highlighted one and presses Enter. Returns once the palette
   * has given way (closed, or reused by an input box / quick pick the command opened).
   */
  async run(title: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const typed = `>${title}`;
    const wanted = title.trim().toLowerCase();
    for (;;) {
      await this.open(typed, timeoutMs);
      try {
        await this.quickInput.focusItem(
          `command "${title}" in the palette`,
          (label) => label.toLowerCase() === wanted,
          Math.max(1000, deadline - Date.now()),
          true,
        );
        await this.quickInput.watchForHide();
        await this.quickInput.watchForEnter();
        await this.quickInput.page.keyboard.press('Enter');
        if (await this.quickInput.enterArrived()) break;
        // The palette lost the focus as Enter went down, so the key went elsewhere and the command did not run.
        console.log(`# e2e harness: Enter did not reach the palette for "${title}"; opening it again`);
        throw new QuickInputClosed(`command "${title}" in the palette`);
      } catch (error) {
        // Something took the focus (a notification, a window) and closed the palette before the command was
        // run: open it again, as a person would.
        if (!(error instanceof QuickInputClosed) || Date.now() > deadline) throw error;
      }
    }
    await waitUntil(`the palette to run "${title}"`, timeoutMs, async () => {
      if ((await this.quickInput.wasHidden()) || !(await this.quickInput.isOpen())) return true;
      const value = await this.quickInput
        .box()
        .inputValue()
        .catch(() => typed);
      return value !== typed;
    });
  }

  /**
   * Runs a command that opens a quick pick, accepts the entry `label` in it, and returns what `shown` finds: what
   * the workbench shows once the entry was taken. Something in the workbench can take the focus as the pick opens
   * or as Enter goes down; the pick then closes unseen, or closes without taking the entry, and `shown` never comes.
   * Either way the command is run again, as a person would: opening a pick changes nothing until an entry is
   * accepted. `shown` gets 10 s: where the entry may take longer to show its effect, it could be taken twice.
   * Each retry is printed, so a run's output says how often the focus went astray.
   */
  async runAndPick<T>(title: string, label: string | RegExp, shown: (timeoutMs: number) => Promise<T>, timeoutMs = 45_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    const again = (error: unknown) => {
      if (Date.now() > deadline) throw error;
      console.log(`# e2e harness: "${title}" did not take ${String(label)} (${(error as Error).message}); running it again`);
    };
    for (;;) {
      await this.run(title);
      try {
        await this.quickInput.pick(label, 10_000, true);
      } catch (error) {
        if (!(error instanceof QuickInputClosed)) throw error;
        again(error);
        continue;
      }
      try {
        return await shown(10_000);
      } catch (error) {
        again(error);
      }
    }
  }

  /** MCP: List Servers, then our server, then its `action` (/Start Server/, /Show Output/), as a person picks them. */
  async mcpServerAction(action: RegExp): Promise<void> {
    await this.runAndPick('MCP: List Servers', /DingTalk Access Token/, (timeoutMs) => this.quickInput.waitForItem(action, timeoutMs));
    await this.quickInput.pick(action);
  }

  /**
   * Opens the palette with `typed` in its box. F1 is pressed only while no quick input is shown (pressing again
   * while a slow palette opens would race it); a quick input left open by something else is closed first.
   */
  private async open(typed: string, timeoutMs: number): Promise<void> {
    await waitUntil('the command palette', timeoutMs, async () => {
      if (!(await this.quickInput.isOpen())) await this.quickInput.page.keyboard.press('F1');
      const b = await this.quickInput.waitForOpen(3000).catch(() => undefined);
      if (!b) return undefined;
      // Something closing the palette as it opens (a dialog or notification giving focus back) hides the box:
      // then it is opened again rather than typed into while hidden.
      if (
        (await b.inputValue()).startsWith('>') &&
        (await b.fill(typed, { timeout: 3000 }).then(
          () => true,
          () => false,
        ))
      )
        return true;
      await this.quickInput.page.keyboard.press('Escape');
      await this.quickInput
        .widget()
        .waitFor({ state: 'hidden', timeout: 3000 })
        .catch(() => undefined);
      return undefined;
    });
  }
}
