import type * as vscode from 'vscode';
import type { TokenManager } from '../core/tokens';
import type { AppCredentials, FetchedToken } from '../core/dingtalk';
import type { AuditTrail } from '../core/audit';
import type { CredentialStore } from './credentials';
import type { Log } from './log';
import type { Settings } from './config';
import type { Redactor } from '../core/redact';

/** What activate() builds once and hands to every part: one TokenManager, one credential store, one log. */
export interface Services {
  context: vscode.ExtensionContext;
  log: Log;
  /** Knows every secret and token this window has seen; the log and every message shown pass through it. */
  redactor: Redactor;
  credentials: CredentialStore;
  tokens: TokenManager;
  audit: AuditTrail;
  settings(): Settings;
  /** Asks DingTalk for a token with these credentials, logging the outcome (never the secret or token). */
  fetchToken(credentials: AppCredentials): Promise<FetchedToken>;
}
