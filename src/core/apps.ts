/** The configured apps as every consumer sees them: labels and appKeys, never secrets. */
export interface AppInfo {
  appKey: string;
  label: string;
}

export interface AppDirectory {
  list(): AppInfo[];
  activeAppKey(): string | undefined;
}

export class AppNotFoundError extends Error {
  override readonly name = 'AppNotFoundError';
}

/** Finds an app by appKey or label (the active app when `app` is omitted), or says how to fix the call. */
export function resolveApp(directory: AppDirectory, app?: string): AppInfo {
  const apps = directory.list();
  const [first] = apps;
  if (first === undefined) {
    throw new AppNotFoundError(
      'No DingTalk app is configured. Run "DingTalk: Set App Credentials" in VS Code (or set DINGTALK_APP_KEY and DINGTALK_APP_SECRET for the standalone server).',
    );
  }
  if (app === undefined || app === '') {
    const active = directory.activeAppKey();
    const found = apps.find((candidate) => candidate.appKey === active) ?? first;
    return found;
  }
  const found = apps.find((candidate) => candidate.appKey === app) ?? apps.find((candidate) => candidate.label === app);
  if (found) return found;
  const known = apps.map((candidate) => `${candidate.label} (${candidate.appKey})`).join(', ');
  throw new AppNotFoundError(`No configured app has the appKey or label "${app}". Configured apps: ${known}.`);
}
