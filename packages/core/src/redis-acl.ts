import { Keyspace, type KeyspaceOptions } from './keyspace.js';

/**
 * Every Redis command hydra-nest runs, grouped by what needs it: what a Redis ACL user must be allowed
 * (`+command`) besides the keys and channels of the prefix. Commands that the queue's Lua scripts run
 * are listed too, because Redis checks them against the user as well.
 */
export const HYDRA_REDIS_COMMANDS: readonly string[] = [
  // Connection: the db (Hydra uses 15), ioredis's ready check (waits out LOADING, checks the role
  // under Sentinel) and health pings.
  'select',
  'info',
  'ping',
  // Registry: presence, nodes, health, flight recorder, routes, configs; discovery from the nodes hash
  // (HLEN, HKEYS, HMGET) and presence keys (MGET); listings by SCAN, never KEYS.
  'scan',
  'exists',
  'mget',
  'set',
  'setex',
  'expire',
  'del',
  'hset',
  'hget',
  'hmget',
  'hgetall',
  'hkeys',
  'hlen',
  'hdel',
  'sadd',
  'smembers',
  'lpush',
  'ltrim',
  'lrange',
  'multi',
  'exec',
  // Messaging and announcements.
  'publish',
  'subscribe',
  'unsubscribe', // a watched service's announcement channel, once it is watched no longer
  // On a Redis Cluster: sharded pub/sub, the slot map ioredis reads, and GET where MGET spans slots.
  'spublish',
  'ssubscribe',
  'cluster|slots',
  'get',
  // Work queue, its blocking wait, and its Lua scripts (EVAL only when Redis lost a script's cache).
  'rpush',
  'rpoplpush',
  'lmove',
  'blmove',
  'lrem',
  'llen',
  'zadd',
  'zrem',
  'zrange',
  'zrangebyscore',
  'zscore',
  'zmscore',
  'zcard',
  'hexists',
  'hincrby',
  'evalsha',
  'eval',
  'time',
];

/**
 * The ACL rules a hydra-nest user needs: the keys and channels of the prefix, and
 * {@link HYDRA_REDIS_COMMANDS}. Nothing else (no other keys, channels or commands).
 *
 * @example
 * await admin.call('ACL', 'SETUSER', 'hydra', 'reset', 'on', '>secret', ...hydraAclRules());
 */
export function hydraAclRules(keyspace: Keyspace | KeyspaceOptions = {}): string[] {
  const keys = keyspace instanceof Keyspace ? keyspace : new Keyspace(keyspace);
  return [
    `~${keys.aclKeyPattern()}`,
    `&${keys.aclChannelPattern()}`,
    ...HYDRA_REDIS_COMMANDS.map((command) => `+${command}`),
  ];
}

/**
 * The whole `ACL SETUSER` line for a hydra-nest user, as the README gives it for the default prefix:
 * `reset` first, so that running it again leaves exactly these rights.
 *
 * @example
 * hydraAclSetUser('hydra', 'secret');
 * // 'ACL SETUSER hydra reset on >secret ~hydra:service:* &hydra:service:* +select +info ...'
 */
export function hydraAclSetUser(
  user: string,
  password: string,
  keyspace: Keyspace | KeyspaceOptions = {},
): string {
  return ['ACL SETUSER', user, 'reset', 'on', `>${password}`, ...hydraAclRules(keyspace)].join(' ');
}
