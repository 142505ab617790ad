// Page object for our DingTalk view in the Activity Bar: the Apps section (rows with their countdown, inline
// actions, context menu, welcome view), the Agents (MCP) section and the Robots section.
import type { Locator, Page } from 'playwright-core';
import { waitUntil } from './wait';

/** What a row must show: a pattern, or a check of the whole text (e.g. "differs from before"). */
export type RowCheck = RegExp | ((text: string) => boolean);

export class DingTalkView {
  constructor(private readonly page: Page) {}

  /** Opens the view from its Activity Bar icon (titled 钉钉 in Chinese); a second click would close it. */
  async open(): Promise<void> {
    if (await this.page.locator('.pane-header[aria-label^="Apps"], .pane-header[aria-label^="应用"]').first().isVisible()) return;
    await this.page.locator('.activitybar .action-label[aria-label^="DingTalk"], .activitybar .action-label[aria-label^="钉钉"]').first().click();
  }

  /** The Apps section (应用 in Chinese). */
  appsPane(): Locator {
    return this.pane('Apps').or(this.pane('应用'));
  }

  /** The welcome content shown in the Apps section while no app exists. */
  welcome(): Locator {
    return this.appsPane().locator('.welcome-view-content');
  }

  appRow(label: string): Locator {
    return this.row(this.appsPane(), label);
  }

  /** Waits until the app's row reads "label | description" matching the pattern (or passing the check); returns that text. */
  async waitForAppRow(label: string, pattern: RowCheck, timeoutMs = 15_000): Promise<string> {
    return this.waitForRow(this.appsPane(), label, (description) => `${label} | ${description}`, pattern, timeoutMs);
  }

  /** Waits until the Agents row with this label shows a description matching the pattern; returns it. */
  async waitForAgentsRow(label: string, pattern: RowCheck, timeoutMs = 15_000): Promise<string> {
    return this.waitForRow(this.pane('Agents (MCP)').or(this.pane('智能体（MCP）')), label, (description) => description, pattern, timeoutMs);
  }

  robotsPane(): Locator {
    return this.pane('Robots').or(this.pane('机器人'));
  }

  /** Waits until the robot's row reads "name | description" matching the pattern; returns that text. */
  async waitForRobotRow(name: string, pattern: RowCheck, timeoutMs = 15_000): Promise<string> {
    return this.waitForRow(this.robotsPane(), name, (description) => `${name} | ${description}`, pattern, timeoutMs);
  }

  /** Clicks one of the row's inline actions (shown on hover), by its tooltip. */
  async inlineAction(label: string, action: string): Promise<void> {
    const row = this.appRow(label);
    await row.hover();
    await row.locator(`.actions .action-label[aria-label="${action}"]`).click();
  }

  /** Runs an entry of the row's context menu, with the keyboard as a person might. */
  async contextMenu(label: string, action: string): Promise<void> {
    await this.appRow(label).click({ button: 'right' });
    const menu = this.page.locator('.context-view .monaco-menu');
    await menu.waitFor({ state: 'visible', timeout: 5_000 });
    const item = menu.locator('.action-item', { has: this.page.locator('.action-label', { hasText: exactly(action) }) }).first();
    await item.waitFor({ state: 'visible', timeout: 5_000 }).catch(() => {
      throw new Error(`the context menu of ${label} has no "${action}"`);
    });
    // The entry is clicked, not reached with the arrow keys: the row re-renders every second (its countdown),
    // and a keyboard highlight could be lost between reading it and pressing Enter. A click while the menu is
    // still laying out can be ignored, so it is repeated until the menu closes, which it does once the action ran.
    await waitUntil(`"${action}" to run from the context menu of ${label}`, 10_000, async () => {
      if (!(await menu.isVisible())) return true;
      await item.click({ timeout: 1_000 }).catch(() => undefined);
      return !(await menu.isVisible());
    });
  }

  /** Hovers the app's row and returns the text of the hover (its tooltip) once VS Code shows it. */
  async hoverTooltip(label: string, timeoutMs = 10_000): Promise<string> {
    await this.appRow(label).locator('.label-name').hover();
    const hover = this.page.locator('.workbench-hover, .monaco-hover').filter({ visible: true }).first();
    await hover.waitFor({ state: 'visible', timeout: timeoutMs });
    return (await hover.innerText()).trim();
  }

  /**
   * How often the app's row changed in the page over `windowMs`: the DOM mutations under it, and the renders
   * (batches of mutations VS Code made in one go). Measured in the page, with a MutationObserver.
   */
  async rowChanges(label: string, windowMs: number): Promise<{ mutations: number; renders: number }> {
    await this.appRow(label).waitFor({ state: 'visible' });
    return this.page.evaluate(
      ({ label, windowMs }) =>
        new Promise<{ mutations: number; renders: number }>((resolve) => {
          const page = globalThis as unknown as PageGlobals;
          const rows = [...page.document.querySelectorAll('.monaco-list-row')];
          const row = rows.find((candidate) => candidate.querySelector('.label-name')?.textContent === label);
          // The list reuses row elements, so the whole list is watched and only records under this row count.
          const list = row?.closest('.monaco-list');
          if (!row || !list) throw new Error(`no row "${label}"`);
          let mutations = 0;
          let renders = 0;
          const observer = new page.MutationObserver((records) => {
            const ours = records.filter((record) => row.contains(record.target));
            mutations += ours.length;
            if (ours.length) renders++;
          });
          observer.observe(list, { subtree: true, childList: true, characterData: true, attributes: true });
          setTimeout(() => {
            observer.disconnect();
            resolve({ mutations, renders });
          }, windowMs);
        }),
      { label, windowMs },
    );
  }

  private pane(title: string): Locator {
    return this.page.locator('.pane', { has: this.page.locator(`.pane-header[aria-label^="${title}"]`) });
  }

  private row(pane: Locator, label: string): Locator {
    return pane.locator('.monaco-list-row', { has: this.page.locator('.label-name', { hasText: exactly(label) }) });
  }

  private async waitForRow(pane: Locator, label: string, shown: (description: string) => string, pattern: RowCheck, timeoutMs: number): Promise<string> {
    let text = '';
    return waitUntil(`the row "${label}" to match ${String(pattern)}`, timeoutMs, async () => {
      const description = await this.row(pane, label)
        .locator('.label-description')
        .innerText({ timeout: 1000 })
        .catch(() => '');
      text = shown(description.trim());
      return (typeof pattern === 'function' ? pattern(text) : pattern.test(text)) ? text : undefined;
    }).catch(() => {
      throw new Error(`the row "${label}" never matched ${String(pattern)}; it shows "${text}"`);
    });
  }
}

/** The few DOM members rowChanges uses in the page (this tsconfig has no DOM types). */
interface PageElement {
  contains(other: unknown): boolean;
  closest(selector: string): PageElement | null;
  querySelector(selector: string): { textContent: string | null } | null;
}
interface PageGlobals {
  document: { querySelectorAll(selector: string): Iterable<PageElement> };
  MutationObserver: new (callback: (records: { target: unknown }[]) => void) => { observe(target: PageElement, options: object): void; disconnect(): void };
}

/** A pattern matching exactly this text. */
function exactly(text: string): RegExp {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}
