import * as z from 'zod/v4';
import { MAX_ROBOT_NAME_LENGTH, resolveRobot, ROBOT_MESSAGE_TYPES, ROBOT_SENDS_PER_MINUTE, type RobotMessage } from '../../core/dingtalk';
import type { ToolContext } from './context';
import { define } from './toolDefinition';

/**
 * The group-robot tools: list_robots and send_robot_message. An agent names a robot; the webhook's token and the
 * SEC secret stay with the host and never enter the conversation.
 */

const MAX_TEXT = 20_000;
const MAX_TITLE = 500;
const MAX_URL = 2048;
const MAX_LIST = 100;

const text = (max = MAX_TEXT) => z.string().max(max);
const url = z.string().min(1).max(MAX_URL);

/** DingTalk's message bodies (自定义机器人发送群消息, https://open.dingtalk.com/document/orgapp/custom-robots-send-group-messages). */
const MESSAGE_SHAPES = {
  text: z.object({ content: text().min(1) }).describe('{content}: plain text; @ a person by putting @<mobile or userId> in it and listing them in `at`'),
  markdown: z.object({ title: text(MAX_TITLE).min(1), text: text().min(1) }).describe('{title, text}: title shows in the chat list, text is Markdown'),
  link: z
    .object({ title: text(MAX_TITLE).min(1), text: text().min(1), messageUrl: url, picUrl: url.optional() })
    .describe('{title, text, messageUrl, picUrl?}: a card that opens messageUrl'),
  actionCard: z
    .object({
      title: text(MAX_TITLE).min(1),
      text: text().min(1),
      singleTitle: text(MAX_TITLE).optional(),
      singleURL: url.optional(),
      btnOrientation: z.enum(['0', '1']).optional().describe('"0" buttons stacked, "1" side by side'),
      btns: z
        .array(z.object({ title: text(MAX_TITLE).min(1), actionURL: url }))
        .max(MAX_LIST)
        .optional(),
    })
    .describe('{title, text, singleTitle + singleURL | btns[{title, actionURL}], btnOrientation?}'),
  feedCard: z
    .object({
      links: z
        .array(z.object({ title: text(MAX_TITLE).min(1), messageURL: url, picURL: url }))
        .min(1)
        .max(MAX_LIST),
    })
    .describe('{links: [{title, messageURL, picURL}]}'),
};

const at = z
  .object({
    atMobiles: z.array(z.string().max(50)).max(MAX_LIST).optional(),
    atUserIds: z.array(z.string().max(100)).max(MAX_LIST).optional(),
    isAtAll: z.boolean().optional(),
  })
  .describe('who to @ (text and markdown messages): mobiles, userIds, or everyone');

const robotArg = z
  .string()
  .min(1)
  .max(MAX_ROBOT_NAME_LENGTH)
  .optional()
  .describe('name of a configured robot (see list_robots); may be omitted only when exactly one robot is configured');

const NO_ROBOTS = { list: () => [] };

export const ROBOT_TOOL_NAMES = ['list_robots', 'send_robot_message'] as const;

export const ROBOT_TOOLS = {
  list_robots: define({
    title: 'List DingTalk group robots',
    description:
      'Lists the configured DingTalk custom group robots (自定义机器人): name, whether sends are signed (加签), and when the last message was sent. ' +
      'Never returns a webhook, token or secret. Pass a name as `robot` to send_robot_message.',
    annotations: { readOnlyHint: true, idempotentHint: true, destructiveHint: false, openWorldHint: false },
    input: {},
    output: {
      robots: z.array(
        z.object({
          name: z.string(),
          signed: z.boolean().describe('sends carry timestamp and sign (the robot uses 加签)'),
          lastSentAt: z.iso.datetime().optional().describe('when a message was last sent to it successfully'),
        }),
      ),
    },
    async run(_args, context) {
      return {
        robots: (context.robots?.list() ?? []).map((robot) => ({
          name: robot.name,
          signed: robot.signed,
          ...(robot.lastSend?.ok ? { lastSentAt: new Date(robot.lastSend.at).toISOString() } : {}),
        })),
      };
    },
  }),
  send_robot_message: define({
    title: 'Send a DingTalk group robot message',
    description:
      "Posts a message to a DingTalk group as one of its custom robots, in DingTalk's own message shapes: msgtype text ({content}), markdown ({title, text}), " +
      'link ({title, text, messageUrl, picUrl?}), actionCard or feedCard, with `at` to @ people. The robot is named (see list_robots); its webhook and ' +
      `signing secret are applied by the server and never shown. At most ${ROBOT_SENDS_PER_MINUTE} messages a minute per robot (DingTalk blocks the robot ` +
      'for ten minutes past that): a send over the limit is refused with retryAfterSeconds and nothing is sent. A message is never sent twice: when ' +
      'DingTalk may have received it but did not confirm, the error says so; check the group before sending again.',
    annotations: { readOnlyHint: false, idempotentHint: false, destructiveHint: false, openWorldHint: true },
    input: {
      robot: robotArg,
      msgtype: z.enum(ROBOT_MESSAGE_TYPES).describe('which body the message carries'),
      text: MESSAGE_SHAPES.text.optional(),
      markdown: MESSAGE_SHAPES.markdown.optional(),
      link: MESSAGE_SHAPES.link.optional(),
      actionCard: MESSAGE_SHAPES.actionCard.optional(),
      feedCard: MESSAGE_SHAPES.feedCard.optional(),
      at: at.optional(),
    },
    output: {
      robot: z.string().describe('the robot that sent it'),
      sent: z.literal(true),
    },
    canonical: robotNamed,
    async run(args, context) {
      // Says which robots there are when the name is unknown, or that there are none.
      resolveRobot(context.robots ?? NO_ROBOTS, args.robot);
      const message: RobotMessage = { msgtype: args.msgtype, [args.msgtype]: args[args.msgtype] };
      if (args.at) message.at = args.at;
      const { robot } = await context.robots!.send(args.robot, message);
      return { robot, sent: true as const };
    },
  }),
};

/** The robot a call will use, named in the arguments the policy and the approval see (`args.robot`), when it can be told. */
function robotNamed<A extends { robot?: string }>(args: A, context: ToolContext): A {
  if (args.robot !== undefined || !context.robots) return args;
  try {
    return { ...args, robot: resolveRobot(context.robots).name };
  } catch {
    return args;
  }
}
