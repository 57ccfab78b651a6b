import { RedisPermissionError, type RedisPermissionKind } from './errors.js';
import { Keyspace } from './keyspace.js';
import { HYDRA_REDIS_COMMANDS } from './redis-acl.js';

/**
 * Whose refusal it was: the connection that ran the command (its `options.username` is the ACL user)
 * and the key layout, whose prefix the rule to grant names.
 */
export interface RedisPermissionScope {
  /** The connection; an ioredis client fits. Without it the user is reported as `default`. */
  readonly redis?: {
    readonly options: { readonly username?: string; readonly redisOptions?: { readonly username?: string } };
  };
  /** The key layout. Default: Hydra's `hydra:service` prefix. */
  readonly keys?: Keyspace;
}

/** The command ioredis attaches to a reply error. */
interface FailedCommand {
  name: string;
  args: unknown[];
}

/** A refusal found in an error: Redis's text and the command it refused. */
interface Refusal {
  text: string;
  command: FailedCommand | undefined;
}

// Redis 7.0 answers `NOPERM this user has no permissions to ...`, 7.2+ `NOPERM User u has no
// permissions ...` or `NOPERM No permissions to access a key`. A Lua script's refused call comes back
// as `ERR The user executing the script can't ...` (7.0) or `ERR ACL failure in script: ...` (7.2+).
const NOPERM = /^NOPERM\b/;
const SCRIPT_REFUSAL = /^ERR (The user executing the script can't|ACL failure in script\b)/;

/**
 * Whether Redis refused `error`'s command for lack of an ACL permission: a `NOPERM` reply, a Lua
 * script's refused call, or a MULTI that Redis discarded because of one.
 */
export function isRedisPermissionRefusal(error: unknown): boolean {
  return error instanceof RedisPermissionError || refusalOf(error) !== undefined;
}

/**
 * `error` as a {@link RedisPermissionError} naming the user, the command, the keys or channels refused
 * and the ACL rule to grant, when Redis refused it for lack of a permission; any other error unchanged.
 *
 * @example
 * try {
 *   await ctx.redis.publish(channel, payload);
 * } catch (error) {
 *   throw explainRefusal(error, ctx); // ctx: { redis, keys }, e.g. a HydraContext
 * }
 */
export function explainRefusal(error: unknown, scope: RedisPermissionScope = {}): unknown {
  if (error instanceof RedisPermissionError) return error;
  const refusal = refusalOf(error);
  return refusal ? permissionError(refusal, scope, error) : error;
}

/**
 * Resolves as `operation` does; a rejection for lack of a permission becomes a
 * {@link RedisPermissionError} (see {@link explainRefusal}).
 *
 * @example
 * const raw = await explainRefusals(ctx, ctx.redis.hget(key, field));
 */
export function explainRefusals<T>(scope: RedisPermissionScope, operation: Promise<T>): Promise<T> {
  return operation.catch((error: unknown) => {
    throw explainRefusal(error, scope);
  });
}

function refusalOf(error: unknown): Refusal | undefined {
  if (!(error instanceof Error)) return undefined;
  const command = (error as { command?: FailedCommand }).command;
  if (NOPERM.test(error.message) || SCRIPT_REFUSAL.test(error.message)) {
    return { text: error.message, command };
  }
  // A command refused inside MULTI is answered at once, and EXEC then discards the transaction
  // (EXECABORT); a refused MULTI makes EXEC fail (EXEC without MULTI). ioredis keeps the first answers.
  const previous = (error as { previousErrors?: unknown[] }).previousErrors ?? [];
  for (const earlier of previous) {
    const found = refusalOf(earlier);
    if (found) return found;
  }
  const at = error.message.startsWith('EXECABORT') ? error.message.indexOf('NOPERM') : -1;
  return at >= 0 ? { text: error.message.slice(at), command } : undefined;
}

function permissionError(refusal: Refusal, scope: RedisPermissionScope, cause: unknown) {
  const { text, command } = refusal;
  const keys = scope.keys ?? new Keyspace();
  const user =
    /\bUser (\S+) has\b/.exec(text)?.[1] ??
    scope.redis?.options.username ??
    scope.redis?.options.redisOptions?.username ??
    'default';
  const plain = text.replace(/'[^']*'/g, "''"); // a command's own name (pubsub|channels) says nothing
  const missing: RedisPermissionKind = /channel/i.test(plain)
    ? 'channel'
    : /\bkeys?\b/i.test(plain)
      ? 'key'
      : 'command';
  const inScript = SCRIPT_REFUSAL.test(text) || /\bscript: /.test(text);
  const named = /'([^']+)' command/.exec(text)?.[1];
  const name = (named ?? command?.name ?? 'unknown').toLowerCase();
  // Some replies quote the key or channel refused (`No permissions to access the 'k' key`).
  const quoted = new RegExp(`'([^']*)' ${missing}`).exec(text)?.[1];
  const names =
    missing === 'command' ? [] : quoted !== undefined ? [quoted] : argumentNames(command, missing);
  let grant: string;
  let what: string;
  if (missing === 'key') {
    grant = `~${keys.aclKeyPattern()}`;
    what = `use the keys of ${upper(command?.name ?? name)}${listed(names)}`;
  } else if (missing === 'channel') {
    grant = `&${keys.aclChannelPattern()}`;
    what = `use the channels of ${upper(command?.name ?? name)}${listed(names)}`;
  } else if (inScript && named === undefined) {
    // Redis 7.0 does not say which call of the script it refused: grant them all.
    grant = HYDRA_REDIS_COMMANDS.map((c) => `+${c}`).join(' ');
    const line = /@user_script:(\d+)/.exec(text)?.[1];
    what = `run a command of the Lua script that ${upper(name)} ran${line ? ` (its line ${line})` : ''}`;
  } else {
    grant = `+${name}`;
    what = `run ${upper(name)}${inScript ? ' (called by a Lua script)' : ''}`;
  }
  return new RedisPermissionError(
    `Redis user "${user}" may not ${what} (Redis said: ${text.trim()}). Grant it: ACL SETUSER ${user} ` +
      `${grant}. Every right hydra-nest needs is in the README's "Redis ACL" line (hydraAclSetUser() ` +
      'prints it for your key prefix).',
    { user, command: name, missing, names, grant },
    { cause },
  );
}

/** The keys (or channels) among a command's arguments, as far as the command's shape tells. */
function argumentNames(command: FailedCommand | undefined, kind: 'key' | 'channel'): string[] {
  if (!command) return [];
  const args = command.args.map((arg) => (Buffer.isBuffer(arg) ? arg.toString() : String(arg)));
  const name = command.name.toLowerCase();
  if (name === 'eval' || name === 'evalsha') return args.slice(2, 2 + Number(args[1]));
  if (['mget', 'del', 'exists', 'subscribe'].includes(name)) return args;
  if (kind === 'key' && ['rpoplpush', 'lmove', 'blmove'].includes(name)) return args.slice(0, 2);
  return args.slice(0, 1);
}

function listed(names: string[]): string {
  if (names.length === 0) return '';
  const shown = names.slice(0, 3).join(', ');
  return ` (${shown}${names.length > 3 ? ` and ${names.length - 3} more` : ''})`;
}

function upper(command: string): string {
  return command.toUpperCase();
}
