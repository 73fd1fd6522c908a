/**
 * Reading a request body within a byte budget, and undoing its
 * `Content-Encoding` within the same budget (a small gzip body can expand to
 * gigabytes). Bytes are counted as they arrive, so an oversized body is
 * refused after `limit` bytes, never buffered whole.
 */

import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { gunzip as gunzipCb, inflate as inflateCb } from 'node:zlib';
import type { BodyBudget } from './body-budget.js';

/** Why a body could not be read. */
export type BodyErrorKind = 'too_large' | 'bad_encoding' | 'aborted' | 'unsupported_encoding' | 'busy';

export class BodyError extends Error {
  override readonly name = 'BodyError';
  constructor(
    readonly kind: BodyErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/** `Content-Encoding` values the gateway undoes. */
export type ContentEncoding = 'identity' | 'gzip' | 'deflate';

/** The encoding a `Content-Encoding` header names, or undefined when unsupported. */
export function contentEncodingOf(header: string | undefined): ContentEncoding | undefined {
  const v = (header ?? '').trim().toLowerCase();
  if (v === '' || v === 'identity') return 'identity';
  if (v === 'gzip' || v === 'x-gzip') return 'gzip';
  if (v === 'deflate') return 'deflate';
  return undefined;
}

/**
 * Collects the body, rejecting with `too_large` as soon as more than
 * `limit` bytes have arrived (the rest is left unread; the caller answers
 * 413 and closes the connection). With a `budget`, every chunk is taken from
 * it as it arrives (`busy` when it does not fit); on success the caller gives
 * the body's length back once done with it, on failure it is given back here.
 */
export function readBody(req: IncomingMessage, limit: number, budget?: BodyBudget): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // The sender may have gone while the request waited for its turn: no event would come any more.
    if (req.destroyed || (req.socket?.destroyed === true && !req.complete)) {
      reject(new BodyError('aborted', 'the connection closed before the body was read'));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (err: BodyError | undefined): void => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      req.off('close', onClose);
      if (err) {
        budget?.give(size);
        chunks.length = 0;
        reject(err);
      }
      else resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer): void => {
      if (size + chunk.length > limit) {
        req.pause();
        finish(new BodyError('too_large', `request body is larger than ${limit} bytes`));
        return;
      }
      if (budget !== undefined && !budget.take(chunk.length)) {
        req.pause();
        finish(new BodyError('busy', 'the gateway holds too many request bodies; retry later'));
        return;
      }
      size += chunk.length;
      chunks.push(chunk);
    };
    const onEnd = (): void => finish(undefined);
    const onError = (): void => finish(new BodyError('aborted', 'the request body could not be read'));
    const onAborted = (): void => finish(new BodyError('aborted', 'the client aborted the request'));
    const onClose = (): void => {
      if (!req.complete) finish(new BodyError('aborted', 'the connection closed before the body was complete'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
    req.on('close', onClose);
  });
}

const gunzip = promisify(gunzipCb);
const inflate = promisify(inflateCb);

/**
 * Undoes `encoding`, producing at most `limit` bytes (zlib stops at the
 * limit: a compression bomb costs `limit` bytes of memory, not more). Runs
 * on libuv's thread pool, off the event loop.
 */
export async function decodeContent(body: Buffer, encoding: ContentEncoding, limit: number): Promise<Buffer> {
  if (encoding === 'identity') return body;
  try {
    return encoding === 'gzip'
      ? await gunzip(body, { maxOutputLength: limit })
      : await inflate(body, { maxOutputLength: limit });
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new BodyError('too_large', `the ${encoding}-decoded request body is larger than ${limit} bytes`);
    }
    throw new BodyError('bad_encoding', `the request body is not valid ${encoding} data`);
  }
}
