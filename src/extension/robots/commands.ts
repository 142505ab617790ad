import * as l10n from '@vscode/l10n';
import { checkRobot, MAX_ROBOT_NAME_LENGTH, RobotError, robotSecretValues, type RobotCredentials } from '../../core/dingtalk';
import type { Services } from '../services';
import { describeRobotError } from './wording';

/**
 * Add Robot, Remove Robot and Send Robot Message. Add Robot asks the webhook (or its access_token), then the SEC
 * secret (Enter skips), then a name, all before storing anything; both secrets are typed in password boxes.
 */

const TEST_MESSAGE = 'DingTalk Access Token: test message from VS Code';

export async function addRobot(services: Services): Promise<void> {
  const legacy = services.settings().endpoints.legacyApiBaseUrl;
  const title = l10n.t('Add Robot');
  const webhook = (
    await services.apis.window.showInputBox({
      title,
      prompt: l10n.t("The robot's Webhook from the group's robot settings, or only its access_token"),
      placeHolder: `${legacy}/robot/send?access_token=…`,
      password: true,
      ignoreFocusOut: true,
      validateInput: (value) => (value.trim() === '' || accepted({ name: 'robot', webhook: value }, legacy) ? undefined : webhookProblem(legacy)),
    })
  )?.trim();
  if (!webhook) return;
  const secret = (
    await services.apis.window.showInputBox({
      title,
      prompt: l10n.t("The robot's SEC secret from its security settings (加签); press Enter for a robot that does not sign"),
      placeHolder: 'SEC…',
      password: true,
      ignoreFocusOut: true,
      validateInput: (value) =>
        value.trim() === '' || accepted({ name: 'robot', webhook, secret: value.trim() }, legacy)
          ? undefined
          : l10n.t('A signing secret starts with SEC, then letters and digits.'),
    })
  )?.trim();
  if (secret === undefined) return;
  const name = await askRobotName(services, title);
  if (!name) return;
  await storeRobot(services, secret ? { name, webhook, secret } : { name, webhook });
  const test = l10n.t('Send a Test Message');
  const choice = await services.apis.window.showInformationMessage(l10n.t('Robot "{0}" added. Send a test message to its group?', name), test);
  if (choice === test) await send(services, name, TEST_MESSAGE);
}

/** Asks the name a new robot goes by, refusing one that is empty, too long or already taken; undefined on Escape. */
export async function askRobotName(services: Services, title: string): Promise<string | undefined> {
  const taken = new Set(services.robots.store.list().map((robot) => robot.name));
  const name = await services.apis.window.showInputBox({
    title,
    prompt: l10n.t('A name for the robot: agents and the policy call it by this name'),
    ignoreFocusOut: true,
    validateInput: (value) => robotNameProblem(value, taken),
  });
  // The box checks as the person types; an answer that still fails (or comes from elsewhere) is refused here too.
  const trimmed = name?.trim();
  return trimmed && !robotNameProblem(trimmed, taken) ? trimmed : undefined;
}

function robotNameProblem(value: string, taken: ReadonlySet<string>): string | undefined {
  const trimmed = value.trim();
  if (!trimmed || trimmed.length > MAX_ROBOT_NAME_LENGTH) return l10n.t('Enter a name of 1 to {0} characters.', MAX_ROBOT_NAME_LENGTH);
  return taken.has(trimmed) ? l10n.t('A robot named "{0}" already exists.', trimmed) : undefined;
}

/** Stores a robot once checkRobot accepted it, keeping its secrets out of the log. */
export async function storeRobot(services: Services, robot: RobotCredentials): Promise<void> {
  for (const value of robotSecretValues(robot)) services.redactor.remember(value);
  await services.robots.store.add(robot);
  services.log.info(l10n.t('Added robot {0} ({1})', robot.name, robot.secret ? l10n.t('signed') : l10n.t('not signed')));
}

export async function removeRobot(services: Services, name: string | undefined): Promise<void> {
  const robot = name ?? (await pickRobot(services, l10n.t('Remove Robot')));
  if (!robot) return;
  const remove = l10n.t('Remove');
  const confirmed = await services.apis.window.showModalWarning(
    l10n.t('Remove robot {0}? Its webhook and secret are deleted from this machine; the robot stays in its group.', robot),
    undefined,
    remove,
  );
  if (confirmed !== remove) return;
  await services.robots.store.remove(robot);
  services.log.info(l10n.t('Removed robot {0}', robot));
}

export async function sendRobotMessage(services: Services, name: string | undefined): Promise<void> {
  const robot = name ?? (await pickRobot(services, l10n.t('Send Robot Message')));
  if (!robot) return;
  const content = await services.apis.window.showInputBox({
    title: l10n.t('Send as {0}', robot),
    prompt: l10n.t('The text to post in the group'),
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() ? undefined : l10n.t('Enter the text to send.')),
  });
  if (!content?.trim()) return;
  await send(services, robot, content);
}

async function send(services: Services, robot: string, content: string): Promise<void> {
  try {
    await services.apis.window.withProgress(l10n.t('Sending as {0}…', robot), () => services.robots.sender.send(robot, { msgtype: 'text', text: { content } }));
    services.log.info(l10n.t('Robot {0} sent a message', robot));
    void services.apis.window.showInformationMessage(l10n.t('Sent to the group of robot "{0}".', robot));
  } catch (error) {
    const words = describeRobotError(error, services.redactor);
    services.log.warn(l10n.t('Robot {0} did not send: {1}', robot, words));
    void services.apis.window.showErrorMessage(words);
  }
}

async function pickRobot(services: Services, title: string): Promise<string | undefined> {
  const robots = services.robots.store.list();
  if (robots.length === 0) {
    const add = l10n.t('Add Robot');
    const choice = await services.apis.window.showInformationMessage(l10n.t('No group robot is added yet.'), add);
    if (choice === add) await addRobot(services);
    return undefined;
  }
  const picked = await services.apis.window.pick(
    robots.map((robot) => ({ label: robot.name, description: robot.signed ? l10n.t('signed') : l10n.t('not signed'), icon: 'hubot', value: robot.name })),
    { title },
  );
  return picked?.value;
}

function accepted(robot: RobotCredentials, legacy: string): boolean {
  try {
    checkRobot(robot, legacy);
    return true;
  } catch (error) {
    if (error instanceof RobotError) return false;
    throw error;
  }
}

function webhookProblem(legacy: string): string {
  return l10n.t("This is not a robot webhook on {0}, nor its access_token. Copy the Webhook from the robot's settings in the group.", `${legacy}/robot/send`);
}
