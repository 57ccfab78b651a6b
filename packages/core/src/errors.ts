/** Base class of every error hydra-nest core throws. */
export class HydraError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Options are missing or invalid; the message names the option and what to give instead. */
export class HydraConfigError extends HydraError {}

/** Redis could not be reached; the message names the address (password hidden) and what to check. */
export class RedisUnavailableError extends HydraError {}

/** An operation needs a started instance (call `start()` first) or one that is not stopped. */
export class HydraStateError extends HydraError {}

/** What a Redis ACL user lacked when Redis answered `NOPERM`. */
export type RedisPermissionKind = 'command' | 'key' | 'channel';

/** The details of a {@link RedisPermissionError}. */
export interface RedisPermissionRefusal {
  /** The ACL user Redis checked (`default` when the connection gave none). */
  user: string;
  /** The command Redis refused, lower case (`publish`, `evalsha`, `select`, ...). */
  command: string;
  /** Whether the user may not run the command, or may not use one of its keys or channels. */
  missing: RedisPermissionKind;
  /** The keys or channels of the refused command, when it has any. */
  names: string[];
  /** The ACL rule that grants what is missing, e.g. `+publish` or `~hydra:service:*`. */
  grant: string;
}

/**
 * Redis refused a command because the ACL user lacks a permission (`NOPERM`). The message names the
 * user, the command and the keys or channels refused, and the `ACL SETUSER` rule to grant; the README's
 * "Redis ACL" section (or `hydraAclSetUser()`) gives every right hydra-nest needs.
 */
export class RedisPermissionError extends HydraError implements RedisPermissionRefusal {
  readonly user: string;
  readonly command: string;
  readonly missing: RedisPermissionKind;
  readonly names: string[];
  readonly grant: string;

  constructor(message: string, refusal: RedisPermissionRefusal, options?: { cause?: unknown }) {
    super(message, options);
    this.user = refusal.user;
    this.command = refusal.command;
    this.missing = refusal.missing;
    this.names = refusal.names;
    this.grant = refusal.grant;
  }
}
