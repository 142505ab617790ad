import { Transform, type TransformCallback } from 'node:stream';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** The longest line the stdio server accepts, as the MCP SDK's own read buffer. */
export const MAX_FRAME_BYTES = 10 * 1024 * 1024;

/** JSON-RPC 2.0 error codes for input that never became a request. */
const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;

export interface FrameProblem {
  /** The JSON-RPC error to answer with (id null unless the message had a usable one). */
  answer: JSONRPCMessage;
  /** One line for stderr; never the content, which may hold secrets. */
  log: string;
}

/**
 * Sits between stdin and the SDK's stdio transport: passes on each line that is a JSON-RPC message, and turns
 * every other line (over MAX_FRAME_BYTES, not JSON, not JSON-RPC, cut off at the end of input) into a
 * problem to answer and log. The SDK on its own closes the transport on an oversized line and ignores the
 * rest silently; with this in front it only ever sees lines it can read, so the server keeps serving.
 */
export class FrameFilter extends Transform {
  private pieces: Buffer[] = [];
  private size = 0;
  /** Bytes of an oversized line being skipped up to its newline; undefined while reading normally. */
  private skipped: number | undefined;

  constructor(
    private readonly report: (problem: FrameProblem) => void,
    private readonly maxBytes = MAX_FRAME_BYTES,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(0x0a, start);
      const piece = chunk.subarray(start, newline === -1 ? chunk.length : newline);
      if (this.skipped !== undefined) {
        this.skipped += piece.length;
      } else if (this.size + piece.length > this.maxBytes) {
        this.skipped = this.size + piece.length;
        this.pieces = [];
        this.size = 0;
      } else {
        this.pieces.push(piece);
        this.size += piece.length;
      }
      if (newline === -1) break;
      this.endLine();
      start = newline + 1;
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.skipped !== undefined || Buffer.concat(this.pieces).toString('utf8').trim() !== '') {
      this.report(problem(PARSE_ERROR, null, 'The input ended in the middle of a message; it was dropped.'));
    }
    done();
  }

  private endLine(): void {
    const skipped = this.skipped;
    const line = Buffer.concat(this.pieces).toString('utf8');
    this.pieces = [];
    this.size = 0;
    this.skipped = undefined;
    if (skipped !== undefined) {
      return this.report(
        problem(INVALID_REQUEST, null, `Request too large: a line of ${skipped} bytes, more than the limit of ${this.maxBytes}; it was dropped.`),
      );
    }
    if (line.trim() === '') return;
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      return this.report(problem(PARSE_ERROR, null, 'Parse error: a line was not valid JSON (a truncated or corrupted message?); it was dropped.'));
    }
    if (!looksLikeJsonRpc(message)) {
      const id = (message as { id?: unknown } | null)?.id;
      const usable = typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id)) ? id : null;
      return this.report(problem(INVALID_REQUEST, usable, 'Invalid Request: a line was JSON but not a JSON-RPC 2.0 message; it was dropped.'));
    }
    this.push(`${line}\n`);
  }
}

/**
 * A JSON-RPC 2.0 request, notification or response by its shape. The SDK validates the message in full right
 * after; this only sorts out what would otherwise get no answer at all, at a fraction of a schema's cost per line.
 */
function looksLikeJsonRpc(message: unknown): boolean {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return false;
  const fields = message as Record<string, unknown>;
  return fields.jsonrpc === '2.0' && (typeof fields.method === 'string' || 'result' in fields || 'error' in fields);
}

function problem(code: number, id: string | number | null, message: string): FrameProblem {
  // The SDK's types want an id on errors; JSON-RPC says null when the request's id is unknown.
  const answer = { jsonrpc: '2.0', id, error: { code, message } } as unknown as JSONRPCMessage;
  return { answer, log: `stdin: ${message}` };
}
