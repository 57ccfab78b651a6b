/** The hydra-nest operator command line, as a library (the `hydra-nest` bin is built on it). */
export { buildProgram, runCli } from './program.js';
export { CLI_VERSION } from './version.js';
export { ExitCode, type ExitCodeValue } from './exit-codes.js';
export { CliError, NotFoundError, UnknownServiceError, UsageError } from './cli-errors.js';
export { redisTarget, DEFAULT_REDIS_URL, type RedisTarget, type RedisTargetFlags } from './redis-target.js';
export type { ServiceRow } from './commands/registry-commands.js';
export type { PingResult } from './commands/ping-command.js';
export type { SendErrorResult } from './commands/send-command.js';
export type { Overview, OverviewInstance, OverviewService } from './commands/overview.js';
export type { PeekRow } from './commands/queue-commands.js';
