// The ids package.json declares and the code uses: commands, views, and the context keys that `when`
// clauses and the walkthrough read. Spelled once here; test/unit/commandIds.test.ts keeps them equal to
// package.json's contributions.

export const COMMAND = {
  setCredentials: 'dingtalkToken.setCredentials',
  getToken: 'dingtalkToken.getToken',
  refreshToken: 'dingtalkToken.refreshToken',
  inspectToken: 'dingtalkToken.inspectToken',
  copyToken: 'dingtalkToken.copyToken',
  switchApp: 'dingtalkToken.switchApp',
  removeApp: 'dingtalkToken.removeApp',
  renameApp: 'dingtalkToken.renameApp',
  makeActive: 'dingtalkToken.makeActive',
  openDeveloperConsole: 'dingtalkToken.openDeveloperConsole',
  showLog: 'dingtalkToken.showLog',
  openPolicy: 'dingtalkToken.openPolicy',
  exportAudit: 'dingtalkToken.exportAudit',
  statusBarActions: 'dingtalkToken.statusBarActions',
  addRobot: 'dingtalkToken.addRobot',
  removeRobot: 'dingtalkToken.removeRobot',
  sendRobotMessage: 'dingtalkToken.sendRobotMessage',
  accessToken: 'dingtalkToken.accessToken',
  revokeTokenAccess: 'dingtalkToken.revokeTokenAccess',
  scanWorkspace: 'dingtalkToken.scanWorkspace',
  moveAppSecret: 'dingtalkToken.moveAppSecret',
  moveRobot: 'dingtalkToken.moveRobot',
  ignoreSecretKind: 'dingtalkToken.ignoreSecretKind',
} as const;

export type CommandId = (typeof COMMAND)[keyof typeof COMMAND];

export const VIEW = {
  apps: 'dingtalkToken.apps',
  agents: 'dingtalkToken.agents',
  robots: 'dingtalkToken.robots',
} as const;

export const CONTEXT_KEY = {
  hasApp: 'dingtalkToken.hasApp',
  hasToken: 'dingtalkToken.hasToken',
  mcpRunning: 'dingtalkToken.mcpRunning',
} as const;
