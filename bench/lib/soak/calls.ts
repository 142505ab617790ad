/**
 * The soak's tool calls: each client's warm-up, the fixed mix of calls (get_access_token, token_status,
 * dingtalk_api_request to the emulator's echo endpoints, by call index), one call and what came of it, and the
 * workers (one per client) that make the calls until all are made or time is up.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { APP, APP2, APPS, type Handle } from './clients';

export interface CallOutcome {
  handle: Handle;
  tool: string;
  appKey: string;
  /** The token the server behind the handle held for the app when the call started. */
  heldAtStart: { accessToken: string; expiresAt: number } | undefined;
  /** The fault phase in force when the call started. */
  phase: string;
  start: number;
  end: number;
  failed: boolean;
  /** What the failure said (the error text); '' for a success. */
  why: string;
  /** The HTTP status a dingtalk_api_request call reported. */
  apiStatus?: number;
}

/** The call with index i: 2/5 get_access_token, 1/5 token_status, 2/5 dingtalk_api_request (new and legacy echo). */
function callFor(i: number): { tool: string; appKey: string; args: Record<string, unknown> } {
  const app = Math.floor(i / 5) % 2 ? APP2 : APP;
  // The first app is the active one: name it sometimes, leave it out sometimes; the second by label or appKey.
  const appArg = app === APP ? (i % 3 === 0 ? {} : { app: APP.appKey }) : { app: i % 2 ? APP2.label! : APP2.appKey };
  switch (i % 5) {
    case 0:
    case 1:
      return { tool: 'get_access_token', appKey: app.appKey, args: appArg };
    case 2:
      return { tool: 'token_status', appKey: app.appKey, args: appArg };
    case 3:
      return { tool: 'dingtalk_api_request', appKey: app.appKey, args: { ...appArg, method: 'POST', path: '/v1.0/emulator/echo', body: { n: i } } };
    default:
      return { tool: 'dingtalk_api_request', appKey: app.appKey, args: { ...appArg, method: 'GET', path: '/emulator/echo', query: { n: i } } };
  }
}

function textOf(result: CallToolResult): string {
  return result.content.map((part) => (part.type === 'text' ? part.text : `[${part.type}]`)).join(' ');
}

/** Lists tools (so clients check structuredContent against the output schemas) and fetches a token for each app. */
export async function warmUp(handles: readonly Handle[], handedOut: Set<string>): Promise<void> {
  for (const handle of handles) {
    await handle.client.listTools();
    for (const app of APPS) {
      const result = (await handle.client.callTool({ name: 'get_access_token', arguments: { app: app.appKey } })) as CallToolResult;
      const token = result.structuredContent as { accessToken?: string; expiresAt?: string } | undefined;
      if (result.isError || !token?.accessToken) throw new Error(`warm-up failed for ${handle.name}: ${textOf(result)}`);
      handedOut.add(token.accessToken);
      handle.saw(app.appKey, token.accessToken, Date.parse(token.expiresAt!));
    }
  }
}

/** Makes call i on the handle's client; tokens it is handed go into handedOut. */
export async function callOnce(handle: Handle, i: number, phase: string, handedOut: Set<string>): Promise<CallOutcome> {
  const { tool, appKey, args } = callFor(i);
  const heldAtStart = handle.heldToken(appKey);
  const start = Date.now();
  let verdict: { failed: boolean; why: string; apiStatus?: number };
  try {
    const result = (await handle.client.callTool({ name: tool, arguments: args })) as CallToolResult;
    verdict = judgeResult(handle, tool, appKey, result, handedOut);
  } catch (error) {
    verdict = { failed: true, why: `the client call threw: ${(error as Error).message}` };
  }
  return { handle, tool, appKey, heldAtStart, phase, start, end: Date.now(), ...verdict };
}

function judgeResult(
  handle: Handle,
  tool: string,
  appKey: string,
  result: CallToolResult,
  handedOut: Set<string>,
): { failed: boolean; why: string; apiStatus?: number } {
  if (result.isError) return { failed: true, why: textOf(result) };
  if (tool === 'get_access_token') {
    const token = result.structuredContent as { accessToken: string; expiresAt: string };
    handedOut.add(token.accessToken);
    handle.saw(appKey, token.accessToken, Date.parse(token.expiresAt));
  } else if (tool === 'dingtalk_api_request') {
    const status = (result.structuredContent as { status: number }).status;
    // The token was refused even after one refresh: as much a failure as an error result.
    if (status === 401 || (status === 200 && [40014, 42001].includes((result.structuredContent as { body?: { errcode?: number } }).body?.errcode ?? 0))) {
      return { failed: true, why: `status ${status}: ${JSON.stringify(result.structuredContent).slice(0, 200)}`, apiStatus: status };
    }
    return { failed: false, why: '', apiStatus: status };
  }
  return { failed: false, why: '' };
}

/** One worker per client takes the next call index until all calls are made or the deadline has passed. */
export async function driveCalls(
  handles: readonly Handle[],
  calls: number,
  deadline: number,
  makeCall: (handle: Handle, i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (handle: Handle) => {
    while (next < calls && Date.now() < deadline) await makeCall(handle, next++);
  };
  await Promise.all(handles.map(worker));
}
