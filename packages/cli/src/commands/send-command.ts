import { HydraTimeoutError, RemoteError, ServiceUnavailableError } from '@hydra-nest/core';
import { parseRoute, UmfError, type UmfMessage } from '@hydra-nest/umf';
import { CliError, NotFoundError, UsageError } from '../cli-errors.js';
import { ExitCode } from '../exit-codes.js';
import { readJsonArgument } from '../json-argument.js';
import type { CommandContext } from './command-context.js';

/** Options of `send`. */
export interface SendOptions {
  /** How long to wait for the reply, ms. */
  timeoutMs: number;
  /** The message `typ`, when given. */
  type?: string;
}

/** What `send --json` prints when the service answers with an error. */
export interface SendErrorResult {
  statusCode: number;
  error: { name: string; message: string; details?: unknown };
}

/**
 * `send <to> <json>`: a request-reply to `service:[method]/path` (or `instance@service:...`); prints
 * the reply's body (`--json`: the whole reply). The exit code follows the reply's status: an error
 * reply, or a Hydra status object with `statusCode` >= 400 in the body, exits 4.
 */
export async function sendCommand(
  { session, out }: CommandContext,
  to: string,
  json: string,
  options: SendOptions,
): Promise<void> {
  const service = serviceOf(to);
  const bdy = await readJsonArgument('the message body', json);
  await session.requireService(service);
  let reply: UmfMessage;
  try {
    reply = await session.hydra.messaging.request(
      { to, bdy, ...(options.type ? { typ: options.type } : {}) },
      { timeoutMs: options.timeoutMs },
    );
  } catch (error) {
    if (error instanceof RemoteError) {
      const result: SendErrorResult = {
        statusCode: error.statusCode,
        error: {
          name: error.remoteName,
          message: error.remoteMessage,
          ...(error.details === undefined ? {} : { details: error.details }),
        },
      };
      if (out.json) out.result(result, () => '');
      throw new CliError(error.message, ExitCode.RemoteError);
    }
    if (error instanceof HydraTimeoutError) throw new CliError(error.message, ExitCode.Timeout);
    if (error instanceof ServiceUnavailableError) {
      throw new NotFoundError(`${error.message}: no live instance of ${service} is listening`);
    }
    throw error;
  }
  out.result(reply, () => JSON.stringify(reply.bdy ?? null, null, 2));
  const status = statusOf(reply.bdy);
  if (status !== undefined && status >= 400) {
    throw new CliError(`${service} answered status ${status}`, ExitCode.RemoteError);
  }
}

/** The service a `to` names, or a {@link UsageError} saying what a `to` looks like. */
export function serviceOf(to: string): string {
  try {
    return parseRoute(to).service;
  } catch (error) {
    if (error instanceof UmfError) throw new UsageError(error.message);
    throw error;
  }
}

/** A Hydra status object's `statusCode` in a reply body (hydra-express, Hydra's ServerResponse). */
function statusOf(bdy: unknown): number | undefined {
  const code = (bdy as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}
