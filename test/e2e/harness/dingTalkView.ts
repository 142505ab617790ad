// Page object for our DingTalk view in the Activity Bar: the Apps section (rows with their countdown, inline
// actions, context menu, welcome view), the Agents (MCP) section and the Robots section.
import type { Locator, Page } from 'playwright-core';
import { waitUntil } from './wait';

/** What a row must show: a pattern, or a check of the whole text (e.g. "differs from before"). */
export type RowCheck = RegExp | ((text: string) => boolean);

export class DingTalkView {
  constructor(private readonly page: Page) {}

  /** Opens the view from its Activity Bar icon (titled 钉钉 in Chinese). */
  async open(): Promise<void> {
    await this.page.locator('.activitybar .action-label[aria-label^="DingTalk"], .activitybar .action-label[aria-label^="钉钉"]').first().click();
  }

  appsPane(): Locator {
    return this.pane('Apps');
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
    return this.waitForRow(this.pane('Agents (MCP)'), label, (description) => description, pattern, timeoutMs);
  }

  robotsPane(): Locator {
    return this.pane('Robots');
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

/** A pattern matching exactly this text. */
function exactly(text: string): RegExp {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}
