// A policy and its cases file as a person would write them, shared by the tests of `policy test` and the Testing view.

/** Three rules a gateway commonly has: a rate limit, approval for writes, and a tool agents may not use. */
export const SAMPLE_POLICY = JSON.stringify({
  version: '1',
  default: 'allow',
  tools: {
    token_status: { rules: [{ name: 'three a minute', rate_limit: '3/minute' }] },
    dingtalk_api_request: {
      rules: [{ name: 'writes need a person', action: 'approve', conditions: [{ path: 'args.method', op: 'neq', value: 'GET' }] }],
    },
    refresh_access_token: { action: 'deny', reason: 'Agents never force a refresh.' },
  },
});

/** One case each: allowed, asks a person, denied by the rate limit on its fourth call. */
export const SAMPLE_CASES = `cases:
  - name: a contact read is allowed
    tool: dingtalk_api_request
    args: { method: GET, path: /v1.0/contact/users/me }
    expect: allow
  - name: a message send asks a person
    tool: dingtalk_api_request
    args: { method: POST, path: /v1.0/robot/oToMessages/batchSend }
    expect: approve
    rule: writes need a person
  - name: the fourth status call in a minute is denied
    tool: token_status
    calls: 4
    expect: deny
    rule: three a minute
`;
