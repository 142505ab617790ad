// Page object for notification toasts.
import type { Page } from 'playwright-core';
import type { Palette } from './quickInput';
import { waitUntil } from './wait';

const TOASTS = '.notifications-toasts .notification-toast';

export class Notifications {
  constructor(
    private readonly page: Page,
    private readonly palette: Palette,
  ) {}

  /** Messages of the visible notification toasts (newest first). */
  async visible(): Promise<string[]> {
    const out: string[] = [];
    for (const toast of await this.page.locator(TOASTS).all()) {
      if (!(await toast.isVisible())) continue;
      const msg = toast.locator('.notification-list-item-message').first();
      // A toast can go between the listing and the read (a progress notification that finished): skip it
      // rather than wait for it with the default 30 s timeout.
      const text = await ((await msg.count()) ? msg : toast).innerText({ timeout: 1000 }).catch(() => undefined);
      if (text !== undefined) out.push(text.trim());
    }
    return out;
  }

  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
    return waitUntil(`a notification matching ${pattern}`, timeoutMs, async () => (await this.visible()).find((t) => pattern.test(t))).catch(
      async (err: Error) => {
        throw new Error(`${err.message}; notifications: ${JSON.stringify(await this.visible().catch(() => []))}`);
      },
    );
  }

  /** Clicks a button (e.g. an action of showInformationMessage) on the visible toast whose message matches. */
  async clickButton(message: RegExp, button: string, timeoutMs = 15_000): Promise<void> {
    await this.waitFor(message, timeoutMs);
    const toast = this.page
      .locator(TOASTS)
      .filter({ has: this.page.locator('.notification-list-item-message', { hasText: message }) })
      .first();
    await toast.locator('.notification-list-item-buttons-container .monaco-button', { hasText: button }).first().click({ timeout: timeoutMs });
  }

  /** The buttons of the visible toast whose message matches. */
  async buttons(message: RegExp, timeoutMs = 15_000): Promise<string[]> {
    await this.waitFor(message, timeoutMs);
    const toast = this.page
      .locator(TOASTS)
      .filter({ has: this.page.locator('.notification-list-item-message', { hasText: message }) })
      .first();
    return (await toast.locator('.notification-list-item-buttons-container .monaco-button').allInnerTexts()).map((text) => text.trim());
  }

  /** Closes every visible toast. */
  async clear(): Promise<void> {
    await this.palette.run('Notifications: Clear All Notifications');
  }
}
