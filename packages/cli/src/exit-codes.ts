/**
 * The exit codes of `hydra-nest`, which scripts can rely on. Listed in `hydra-nest --help` and in the
 * package README.
 */
export const ExitCode = {
  /** The command did what was asked. */
  Ok: 0,
  /** Bad arguments or options, invalid JSON, or a destructive command that was not confirmed. */
  Usage: 1,
  /** Redis could not be reached (or was lost during the command). */
  RedisUnreachable: 2,
  /** An unknown service, no live instance of it, or no such config label. */
  NotFound: 3,
  /** `send`: the service answered with an error status (>= 400). */
  RemoteError: 4,
  /** No reply within the deadline (`send`, or `ping` when an instance did not answer). */
  Timeout: 5,
  /** Anything else: Redis refused a command (ACL), or an unexpected failure. */
  Failure: 6,
} as const;

/** One of the values of {@link ExitCode}. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit codes as `--help` prints them. */
export const EXIT_CODES_HELP = [
  'Exit codes:',
  '  0  ok',
  '  1  usage: bad arguments, invalid JSON, or purge not confirmed',
  '  2  Redis unreachable',
  '  3  not found: unknown service, no live instance, no such config label',
  '  4  send: the service answered with an error status (>= 400)',
  '  5  timeout: no reply in time (send, ping)',
  '  6  other failure (e.g. Redis refused a command: ACL)',
].join('\n');
