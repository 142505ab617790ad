import type { QuickInputButton } from 'vscode';
import * as l10n from '@vscode/l10n';
import { describeDuration, describeError, joinSentences, localTimestamp } from '../wording/messages';
import type { FetchedToken } from '../../core/dingtalk';
import type { TokenResult } from '../../core/tokens';
import type { Services } from '../services';

/** DingTalk's developer console (开发者后台), where apps, their credentials, IP whitelist and permissions live. */
const DEVELOPER_CONSOLE_URL = 'https://open-dev.dingtalk.com/';

export function openDeveloperConsole(services: Services): Thenable<boolean> {
  return services.apis.env.openExternal(DEVELOPER_CONSOLE_URL);
}

interface Step {
  step: number;
  prompt: string;
  value: string;
  placeholder?: string;
  password?: boolean;
  /** Checked while typing and on Enter; a message keeps the box open. */
  validate?: (value: string) => string | undefined;
  /** Run on Enter with a busy indicator; a message keeps the box open with the value cleared. */
  check?: (value: string) => Promise<string | undefined>;
  /** The prompt while `check` runs. */
  checking?: string;
}

type Answer = { value: string } | 'back' | undefined;

const TOTAL_STEPS = 3;

/**
 * Set App Credentials as one multi-step input with Back: appKey, then appSecret, checked with DingTalk as soon
 * as it is entered, then an optional label. A refused secret keeps the appKey (and a label typed earlier) and
 * asks only for the secret again; nothing is stored until all three are answered.
 */
export async function setCredentials(services: Services): Promise<void> {
  let appKey = '';
  let label: string | undefined;
  let checked: CheckedCredentials | undefined;
  let step = 1;
  while (step <= TOTAL_STEPS) {
    if (step === 1) {
      const answer = await ask(services, {
        step,
        prompt: l10n.t('AppKey (Client ID) of the DingTalk app, from the developer console'),
        placeholder: 'dingxxxxxxxxxxxxxxxx',
        value: appKey,
        validate: (value) => (/^\S+$/.test(value.trim()) ? undefined : l10n.t('Enter the AppKey: one word, no spaces.')),
      });
      if (typeof answer !== 'object') return;
      appKey = answer.value;
      step = 2;
    } else if (step === 2) {
      // Only a secret checked for the appKey now on screen may be stored.
      checked = undefined;
      const answer = await ask(services, {
        step,
        prompt: l10n.t('AppSecret (Client Secret) of {0}; it is kept in VS Code SecretStorage only', appKey),
        password: true,
        value: '',
        validate: (value) => (value.trim() ? undefined : l10n.t('Enter the AppSecret.')),
        checking: l10n.t('Checking the AppSecret of {0} with DingTalk…', appKey),
        check: async (appSecret) => {
          const answer = await checkCredentials(services, appKey, appSecret);
          // The message covers the prompt, so it names the app again.
          if ('refused' in answer) return joinSentences(answer.refused, l10n.t('Enter the AppSecret of {0} again, or go back to change the AppKey.', appKey));
          checked = answer;
          return undefined;
        },
      });
      if (answer === undefined) return;
      step = answer === 'back' ? 1 : 3;
    } else {
      const existing = services.credentials.list().find((app) => app.appKey === appKey);
      const answer = await ask(services, {
        step,
        prompt: l10n.t('A label for the status bar (optional; Enter keeps the AppKey)'),
        placeholder: appKey,
        value: label ?? existing?.label ?? '',
      });
      if (answer === undefined) return;
      if (answer === 'back') {
        step = 2;
        continue;
      }
      label = answer.value || appKey;
      step = 4;
    }
  }
  if (checked) await store(services, { appKey, label: label ?? appKey }, checked);
}

/** An AppSecret DingTalk accepted for its AppKey, with the token it gave. */
export interface CheckedCredentials {
  appSecret: string;
  fetched: FetchedToken;
  startedAt: number;
}

/** Asks DingTalk for a token with the pair (the check of Set App Credentials); stores nothing. */
export async function checkCredentials(services: Services, appKey: string, appSecret: string): Promise<CheckedCredentials | { refused: string }> {
  try {
    const startedAt = services.clock.now();
    return { appSecret, fetched: await services.fetchToken({ appKey, appSecret }), startedAt };
  } catch (error) {
    services.log.warn(l10n.t('Credentials for {0} were not accepted: {1}', appKey, describeError(error, services.redactor)));
    return { refused: describeError(error, services.redactor) };
  }
}

/** Stores an app whose credentials DingTalk accepted, with the token the check fetched; the active app stays the active one. */
export async function keepCheckedApp(services: Services, app: { appKey: string; label: string }, checked: CheckedCredentials): Promise<TokenResult> {
  // Cached before the app is stored, so nothing reacting to the new app fetches a second token;
  // then saved for other windows, which the store only allows once the app is known.
  const token = services.tokens.acceptFetchedToken(app.appKey, checked.fetched, checked.startedAt);
  // Agents and the status bar follow the active app: adding another one must not move them behind the person's back.
  await services.credentials.add(app, checked.appSecret, { activate: false });
  await services.credentials.tokenStore.save(app.appKey, token);
  services.log.info(l10n.t('Stored credentials for {0} ({1}); token valid until {2}', app.label, app.appKey, localTimestamp(token.expiresAt)));
  return token;
}

async function store(services: Services, app: { appKey: string; label: string }, checked: CheckedCredentials): Promise<void> {
  const previous = services.credentials.activeApp();
  const token = await keepCheckedApp(services, app, checked);
  const validity = l10n.t('DingTalk app {0} is set up. Its token is valid for {1}.', app.label, describeDuration(token.expiresAt - services.clock.now()));
  if (!previous || previous.appKey === app.appKey) return void services.apis.window.showInformationMessage(validity);
  const makeActive = l10n.t('Make Active');
  const choice = await services.apis.window.showInformationMessage(
    joinSentences(validity, l10n.t('The status bar and agents keep using {0}.', previous.label)),
    makeActive,
  );
  if (choice === makeActive && services.credentials.list().some((known) => known.appKey === app.appKey)) {
    await services.credentials.setActive(app.appKey);
    services.log.info(l10n.t('Active app is now {0}', app.label));
  }
}

/** One step in its own input box; resolves with the answer, 'back', or undefined when dismissed. */
function ask(services: Services, step: Step): Promise<Answer> {
  const window = services.apis.window;
  return new Promise((resolve) => {
    const box = window.createInputBox();
    const consoleButton: QuickInputButton = window.button('link-external', l10n.t('Open Developer Console'));
    box.title = l10n.t('Set App Credentials');
    box.step = step.step;
    box.totalSteps = TOTAL_STEPS;
    box.prompt = step.prompt;
    box.placeholder = step.placeholder;
    box.value = step.value;
    box.password = step.password ?? false;
    box.ignoreFocusOut = true;
    box.buttons = [...(step.step > 1 ? [window.backButton] : []), consoleButton];
    let settled = false;
    const finish = (answer: Answer) => {
      if (settled) return;
      settled = true;
      box.dispose();
      resolve(answer);
    };
    box.onDidChangeValue((value) => {
      box.validationMessage = value ? step.validate?.(value) : undefined;
    });
    box.onDidTriggerButton((button) => {
      if (button === window.backButton) finish('back');
      else void openDeveloperConsole(services);
    });
    box.onDidAccept(async () => {
      if (box.busy) return;
      const value = box.value.trim();
      const invalid = step.validate?.(value);
      if (invalid) {
        box.validationMessage = invalid;
        return;
      }
      if (step.check) {
        box.busy = true;
        box.enabled = false;
        // A message left from the last try would hide the prompt saying what is happening.
        box.validationMessage = undefined;
        box.prompt = step.checking ?? step.prompt;
        const problem = await step.check(value);
        box.busy = false;
        box.enabled = true;
        box.prompt = step.prompt;
        if (problem) {
          box.value = '';
          box.validationMessage = window.errorMessage(problem);
          return;
        }
      }
      finish({ value });
    });
    box.onDidHide(() => finish(undefined));
    box.show();
  });
}
