import {
  HydraConfigError,
  MessagingConnectionError,
  RedisPermissionError,
  RedisUnavailableError,
} from '@hydra-nest/core';
import { CliError } from './cli-errors.js';
import { ExitCode, type ExitCodeValue } from './exit-codes.js';

/** What ioredis says when a command finds its connection gone. */
const CONNECTION_LOST =
  /Connection is closed|Stream isn't writeable|ECONNREFUSED|ECONNRESET|ETIMEDOUT|All nodes failed/;

/** The exit code and the one-line message a failed command reports. */
export function exitFor(error: unknown): { code: ExitCodeValue; message: string } {
  const message = oneLine(error instanceof Error ? error.message : String(error));
  if (error instanceof CliError) return { code: error.exitCode, message };
  if (error instanceof RedisUnavailableError || error instanceof MessagingConnectionError) {
    return { code: ExitCode.RedisUnreachable, message };
  }
  if (error instanceof HydraConfigError) return { code: ExitCode.Usage, message };
  if (error instanceof RedisPermissionError) return { code: ExitCode.Failure, message };
  if (CONNECTION_LOST.test(message)) {
    return { code: ExitCode.RedisUnreachable, message: `lost the connection to Redis (${message})` };
  }
  return { code: ExitCode.Failure, message };
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
