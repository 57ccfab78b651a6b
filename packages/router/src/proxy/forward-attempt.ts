import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { downstreamHeaders, upstreamHeaders } from './forward-headers.js';

/**
 * Why an attempt got no response, as far as the router can tell whether the request ran:
 * - `unreachable`: no connection was made: it cannot have run;
 * - `reset`: the connection broke before a response (`keptAlive` tells whether it was an idle pooled
 *   one, which the instance may simply have closed meanwhile);
 * - `timeout`: nothing came back before the deadline: it may have run.
 */
export type AttemptFailure = 'unreachable' | 'reset' | 'timeout';

/** How one attempt ended. Once `responded`, the response streams to the client on its own. */
export type AttemptOutcome =
  | { kind: 'responded'; statusCode: number }
  | { kind: 'failed'; failure: AttemptFailure; keptAlive: boolean; bodyTouched: boolean; error: Error }
  /** The request body went over the limit while streaming; the attempt was abandoned. */
  | { kind: 'too-large' }
  /** The client went away before the instance answered. */
  | { kind: 'client-gone' };

/** One attempt to one instance. */
export interface AttemptTarget {
  host: string;
  port: number;
  /** The pool of kept-alive connections; `false` for a fresh connection. */
  agent: http.Agent | false;
  /** When the instance must have answered with its headers, ms since the epoch. */
  deadline: number;
  /** Longest silence on the connection while the response streams, ms. */
  idleMs: number;
  /** Largest request body, bytes. */
  maxBodyBytes: number;
  /** Whether the request has a body (a length above 0 or a transfer coding). */
  hasBody: boolean;
  /** The path sent (prefix stripped, query kept). */
  path: string;
}

/**
 * Sends the client's request to one instance and, when it answers, streams its response back. The
 * request body is read from the client only once the connection is made, so an instance that cannot be
 * reached leaves it untouched for the next one. Never rejects.
 */
export function forwardAttempt(
  req: IncomingMessage,
  res: ServerResponse,
  target: AttemptTarget,
): Promise<AttemptOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    let connected = false;
    let bodyTouched = false;
    let timedOut = false;
    let responded = false;
    let onData: ((chunk: Buffer) => void) | undefined;
    const settle = (outcome: AttemptOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      res.off('close', onClientClose);
      if (outcome.kind !== 'responded' && onData) {
        // The body goes nowhere now: stop writing it to the dead request and let the rest drain.
        req.off('data', onData);
        req.resume();
      }
      resolve(outcome);
    };
    const up = http.request({
      host: target.host,
      port: target.port,
      method: req.method,
      path: target.path,
      headers: upstreamHeaders(req, target.host, target.port),
      agent: target.agent,
      timeout: target.idleMs,
    });
    const timer = setTimeout(
      () => {
        timedOut = true;
        up.destroy(new Error('no response before the deadline'));
      },
      Math.max(0, target.deadline - Date.now()),
    );
    const onClientClose = () => {
      if (!res.writableFinished) {
        up.destroy();
        settle({ kind: 'client-gone' });
      }
    };
    res.on('close', onClientClose);

    const sendBody = () => {
      if (settled || up.destroyed) return;
      if (!target.hasBody) {
        up.end();
        return;
      }
      bodyTouched = true;
      let bytes = 0;
      onData = (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > target.maxBodyBytes) {
          up.destroy();
          settle({ kind: 'too-large' });
          return;
        }
        if (!up.write(chunk)) {
          req.pause();
          up.once('drain', () => req.resume());
        }
      };
      req.on('data', onData);
      req.once('end', () => up.end());
      req.resume();
    };
    up.on('socket', (socket) => {
      if (socket.connecting) {
        socket.once('connect', () => {
          connected = true;
          sendBody();
        });
      } else {
        connected = true;
        sendBody();
      }
    });
    up.on('timeout', () => {
      timedOut = true;
      up.destroy(new Error(`the connection was silent for ${target.idleMs} ms`));
    });
    up.on('error', (error) => {
      if (settled) {
        if (responded) res.destroy(); // the response was streaming: cut it, the client sees a truncated body
        return;
      }
      const failure: AttemptFailure = !connected ? 'unreachable' : timedOut ? 'timeout' : 'reset';
      settle({ kind: 'failed', failure, keptAlive: up.reusedSocket, bodyTouched, error });
    });
    up.on('response', (upRes) => {
      if (settled) {
        upRes.destroy();
        return;
      }
      clearTimeout(timer);
      responded = true;
      res.writeHead(upRes.statusCode ?? 502, downstreamHeaders(upRes.headers));
      upRes.pipe(res);
      upRes.on('error', () => res.destroy());
      upRes.on('aborted', () => res.destroy());
      res.once('close', () => {
        if (!upRes.complete) up.destroy(); // the client left mid-stream: free the instance's connection
      });
      settle({ kind: 'responded', statusCode: upRes.statusCode ?? 502 });
    });
  });
}
