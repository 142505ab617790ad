// One HTTP exchange with DingTalk: a deadline, a cap on the answer's size, no redirects followed, and network
// failures as DingTalkErrors. What the answer means is dingtalk.ts' and classify.ts' business.
import { timerDelay } from '../clock';
import { DingTalkError } from './errors';

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** A token answer is a few hundred bytes; anything near this is not DingTalk's. */
const DEFAULT_MAX_ANSWER_BYTES = 64 * 1024;

interface OutgoingRequest {
  url: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  headers?: Record<string, string>;
  body?: string;
  maxBytes?: number;
}

/**
 * One HTTP exchange with a deadline; network failures and timeouts become DingTalkErrors.
 * Node's built-in fetch is undici with a keep-alive pool, and in VS Code it follows the editor's proxy
 * settings; bundling the undici package instead would cost 500 KB on the activation path.
 */
export async function send(endpoints: { requestTimeoutMs: number }, outgoing: OutgoingRequest): Promise<HttpAnswer> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timerDelay(endpoints.requestTimeoutMs));
  const host = safeHost(outgoing.url);
  try {
    const response = await fetch(outgoing.url, {
      method: outgoing.method,
      headers: outgoing.headers,
      body: outgoing.body,
      signal: controller.signal,
      redirect: 'manual',
    });
    const text = await readCapped(response, outgoing.maxBytes ?? DEFAULT_MAX_ANSWER_BYTES);
    return { status: response.status, headers: Object.fromEntries(response.headers), text };
  } catch (error) {
    if (error instanceof DingTalkError) throw error;
    if (timedOut) {
      throw new DingTalkError('timeout', `DingTalk (${host}) did not answer within ${endpoints.requestTimeoutMs} ms.`, { cause: error });
    }
    const cause = (error as { cause?: { code?: string } }).cause;
    const code = cause?.code ?? (error as Error).name;
    throw new DingTalkError('network', `Could not reach DingTalk at ${host} (${code}).`, { cause: error, code });
  } finally {
    clearTimeout(timer);
  }
}

async function readCapped(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge(maxBytes);
  }
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function tooLarge(maxBytes: number): DingTalkError {
  return new DingTalkError('malformed', `DingTalk's answer is larger than ${Math.round(maxBytes / 1024)} KB; it was not read.`, { code: 'ResponseTooLarge' });
}

/** Retry-After in seconds or as an HTTP date, in ms. */
export function retryAfterMs(answer: HttpAnswer, now = Date.now()): number | undefined {
  const value = header(answer, 'retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

export function header(answer: HttpAnswer, name: string): string | undefined {
  const value = answer.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the configured address';
  }
}
