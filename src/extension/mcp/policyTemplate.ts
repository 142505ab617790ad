import * as l10n from '@vscode/l10n';
import { DEFAULT_POLICY, DEFAULT_REFRESH_LIMIT } from '../../core/policy';

/** What "Open MCP Policy" offers to write when there is no policy file yet. */

const text = (policy: object) => `${JSON.stringify(policy, null, 2)}\n`;

/** The built-in default spelled out (every tool; refresh_access_token limited), so it can be edited. */
export const DEFAULT_POLICY_TEMPLATE = text(DEFAULT_POLICY);

/**
 * Agents read and change nothing: API calls only with GET, and no raw token (it would let an agent call
 * DingTalk past the policy). Legacy oapi reads that use POST need a rule of their own.
 */
const readOnlyTemplate = () =>
  text({
    version: '1',
    description: l10n.t('Agents may read from DingTalk but not change anything.'),
    hide: ['get_access_token', 'refresh_access_token'],
    tools: {
      dingtalk_api_request: {
        rules: [
          {
            name: 'reads only',
            conditions: [{ path: 'args.method', op: 'eq', value: 'GET' }],
            on_deny: l10n.t('This agent may only read from DingTalk (GET requests).'),
          },
        ],
      },
    },
  });

/** A person approves every call that sends a message (robots, work notices, chats); the rest runs as usual. */
const messagesNeedApprovalTemplate = () =>
  text({
    version: '1',
    description: l10n.t("Messages sent through DingTalk need a person's approval."),
    tools: {
      dingtalk_api_request: {
        rules: [
          {
            name: 'messages need approval',
            action: 'approve',
            conditions: [{ path: 'args.path', op: 'regex', value: '(?i)(message|robot|/chat/|/im/|corpconversation|/ding/)' }],
          },
        ],
      },
      refresh_access_token: { limits: [DEFAULT_REFRESH_LIMIT] },
    },
  });

export type PolicyTemplateId = 'readOnly' | 'messagesNeedApproval' | 'refreshRateLimit';

/** Worded when read, in the person's language (their description and on_deny are for the person who edits them). */
export const POLICY_TEMPLATES: Record<PolicyTemplateId, string> = {
  get readOnly() {
    return readOnlyTemplate();
  },
  get messagesNeedApproval() {
    return messagesNeedApprovalTemplate();
  },
  refreshRateLimit: DEFAULT_POLICY_TEMPLATE,
};
