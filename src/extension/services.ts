import type * as vscode from 'vscode';
import type { TokenManager } from '../core/tokens';
import type { AppCredentials, FetchedToken } from '../core/dingtalk';
import type { AuditTrail } from '../core/audit';
import type { CredentialStore } from './apps/credentials';
import type { Log } from './log';
import type { Settings } from './settings';
import type { Clock } from '../core/clock';
import type { Apis } from './apis/apis';
import type { Redactor } from '../core/redact';
import type { RobotSender } from '../core/dingtalk';
import type { RobotStore } from './robots/store';
import type { WindowCounterStore } from './counters/windowStore';

/** What activate() builds once and hands to every part: one TokenManager, one credential store, one log. */
export interface Services {
  context: Pick<vscode.ExtensionContext, 'globalState' | 'globalStorageUri'>;
  /** The VS Code API, narrowed (fakes in unit tests). */
  apis: Apis;
  /** The one clock the token logic and the messages about time read (a fake in unit tests). */
  clock: Clock;
  /** The extension's version, from package.json. */
  version: string;
  log: Log;
  /** Knows every secret and token this window has seen; the log and every message shown pass through it. */
  redactor: Redactor;
  credentials: CredentialStore;
  tokens: TokenManager;
  audit: AuditTrail;
  /** The group robots: kept in the store, sent through the one sender (its 20-a-minute count shared by the commands and agents). */
  robots: { store: RobotStore; sender: RobotSender };
  /** Where the MCP policy's limits and robot sends are counted: one store shared by this person's windows, or the team's Redis. */
  counters: WindowCounterStore;
  settings(): Settings;
  /** Asks DingTalk for a token with these credentials, logging the outcome (never the secret or token). */
  fetchToken(credentials: AppCredentials): Promise<FetchedToken>;
}
