import type { Services } from '../services';
import type { TerminalEnvironmentView, TrustApis } from '../apis/terminal.apis';
import type { SecretsApis } from '../apis/secrets.apis';
import type { Disposable } from '../emitter';
import { COMMAND } from '../commandIds';
import type { FeatureCommands } from '../commands';
import { TerminalEnvironment } from '../terminal/environment';
import { TokenAccessConsent, type WorkspaceMemento } from './consent';
import { accessTokenForTask, revokeTokenAccess } from './commandVariable';
import { DIAGNOSTIC_SOURCE, SecretDiagnostics } from '../secrets/diagnostics';
import { ignoreSecretKind, quickFixesFor } from '../secrets/quickFixes';
import { moveAppSecret } from '../secrets/moveAppSecret';
import { moveRobot } from '../secrets/moveRobot';
import { scanWorkspace } from '../secrets/workspaceScan';

/** The VS Code APIs the person's own code and files are reached through: workspace trust, terminals, files. */
export interface DevEnvApis {
  trust: TrustApis;
  terminal: TerminalEnvironmentView;
  secrets: SecretsApis;
}

/**
 * The token where the person's own code runs (the command variable, new terminals) and their files' secrets
 * (warnings, quick fixes, the workspace scan): what it keeps up, the commands it answers, and what follows a settings change.
 */
export function registerDevEnv(
  services: Services,
  workspaceState: WorkspaceMemento,
  apis: DevEnvApis,
): { subscriptions: Disposable[]; commands: FeatureCommands; settingsChanged(): void } {
  const terminal = new TerminalEnvironment(services, apis.terminal, apis.trust);
  const consent = new TokenAccessConsent(workspaceState);
  const diagnostics = new SecretDiagnostics(services, apis.secrets);
  return {
    subscriptions: [terminal, diagnostics, apis.secrets.registerQuickFixes(DIAGNOSTIC_SOURCE, quickFixesFor)],
    commands: {
      [COMMAND.accessToken]: (argument) => accessTokenForTask(services, consent, apis.trust, argument),
      [COMMAND.revokeTokenAccess]: () => revokeTokenAccess(services, consent, apis.trust),
      [COMMAND.scanWorkspace]: () => scanWorkspace(services, apis.secrets, diagnostics),
      [COMMAND.moveAppSecret]: (span) => moveAppSecret(services, apis.secrets, span),
      [COMMAND.moveRobot]: (span) => moveRobot(services, apis.secrets, span),
      [COMMAND.ignoreSecretKind]: (kind) => ignoreSecretKind(services, apis.secrets, kind),
    },
    settingsChanged: () => {
      terminal.update();
      diagnostics.refresh();
    },
  };
}
