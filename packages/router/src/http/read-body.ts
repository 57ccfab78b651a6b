import type { IncomingMessage } from 'node:http';

/** A request body over the limit; the caller answers 413. */
export class BodyTooLargeError extends Error {
  readonly statusCode = 413;
  constructor(limit: number) {
    super(
      `the request body is over the router's limit of ${limit} bytes; send less, or raise the limit (--max-body)`,
    );
    this.name = 'BodyTooLargeError';
  }
}

/** Reads a whole request body as UTF-8, up to `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > limit) {
        req.off('data', onData);
        req.resume(); // drain the rest so that the 413 can be read
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}
