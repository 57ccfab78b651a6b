import http from 'node:http';

/**
 * Why an HTTP attempt got no response, as far as the caller can tell whether the request ran:
 * - `unreachable`: no connection was made (refused, host unreachable, connect timeout): it cannot have run;
 * - `not-sent`: a kept-alive connection was closed before the request was handed to it: it cannot have run;
 * - `timeout`: the request was sent and nothing came back in time: it may have run (or still be running);
 * - `reset`: the request was sent, then the connection was reset or closed before the whole response
 *   arrived: it may have run.
 */
export type HttpFailure = 'unreachable' | 'not-sent' | 'timeout' | 'reset';

/** What one HTTP attempt ended with; it never rejects. */
export type HttpAttempt =
  | { ok: true; statusCode: number; headers: http.IncomingHttpHeaders; text: string }
  | {
      ok: false;
      failure: HttpFailure;
      /** The attempt went out on a kept-alive connection that an earlier request had used. */
      reusedSocket: boolean;
      /** Some of the response had arrived when it failed. */
      responseStarted: boolean;
      error: Error;
    };

/** One HTTP request to one instance. */
export interface HttpAttemptRequest {
  host: string;
  port: number;
  /** Upper case, e.g. `POST`. */
  method: string;
  path: string;
  headers: http.OutgoingHttpHeaders;
  body?: string;
  /** Socket inactivity timeout, ms, as Hydra's `timeout`. */
  timeoutMs: number;
  /** Open a new connection instead of taking a kept-alive one. */
  freshConnection?: boolean;
  /**
   * Before sending on a kept-alive connection, let the event loop read what already arrived on it, so
   * that one the server closed meanwhile fails as `not-sent` instead of after the request was written.
   * Costs one event-loop turn; worth it for requests that cannot be retried once written.
   */
  checkKeptAlive?: boolean;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/**
 * Sends one HTTP request and resolves its response, or the failure with what is known about whether
 * the request reached the server (see {@link HttpFailure}). The response body is read whole as UTF-8.
 */
export function attemptHttp(request: HttpAttemptRequest): Promise<HttpAttempt> {
  return new Promise((resolve) => {
    let settled = false;
    let connected = false;
    let handedOver = false;
    let responseStarted = false;
    let timedOut = false;
    const settle = (attempt: HttpAttempt) => {
      if (settled) return;
      settled = true;
      resolve(attempt);
    };
    const req = http.request({
      host: request.host,
      port: request.port,
      method: request.method,
      path: request.path,
      headers: request.headers,
      agent: request.freshConnection ? false : agent,
      timeout: request.timeoutMs,
    });
    const fail = (error: Error) => {
      const failure: HttpFailure = !connected
        ? 'unreachable'
        : !handedOver
          ? 'not-sent'
          : timedOut
            ? 'timeout'
            : 'reset';
      settle({ ok: false, failure, reusedSocket: req.reusedSocket, responseStarted, error });
    };
    const send = () => {
      if (settled || req.destroyed) return;
      handedOver = true;
      req.end(request.body);
    };

    req.on('socket', (socket) => {
      if (socket.connecting) {
        socket.once('connect', () => (connected = true));
        send(); // written once connected; a failure before that is `unreachable`
        return;
      }
      connected = true;
      if (request.checkKeptAlive && req.reusedSocket) afterNextPoll(send);
      else send();
    });
    req.on('timeout', () => {
      timedOut = true;
      req.destroy(new Error(`no HTTP response within ${request.timeoutMs} ms`));
    });
    req.on('error', fail);
    req.on('response', (res) => {
      responseStarted = true;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', fail);
      res.on('aborted', () => fail(new Error('the connection closed before the whole response arrived')));
      res.on('end', () =>
        settle({
          ok: true,
          statusCode: res.statusCode ?? 0,
          headers: res.headers,
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
  });
}

/**
 * Runs `fn` after the event loop has polled for I/O at least once more. One `setImmediate` can run in
 * the check phase right after the current poll phase; the second one comes after the next poll.
 */
function afterNextPoll(fn: () => void): void {
  setImmediate(() => setImmediate(fn));
}
