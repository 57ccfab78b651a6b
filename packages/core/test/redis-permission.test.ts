import { describe, expect, it } from 'vitest';
import { RedisPermissionError, RedisUnavailableError } from '../src/errors.js';
import { Keyspace } from '../src/keyspace.js';
import { explainRefusal, explainRefusals, isRedisPermissionRefusal } from '../src/redis-permission.js';

// Redis's refusals as ioredis hands them over (a reply error with the command attached), in the words
// of Redis 7.0 and of 7.2+; the ACL test checks them against a real server.

function reply(message: string, name?: string, args: unknown[] = []): Error {
  return Object.assign(new Error(message), name ? { command: { name, args } } : {});
}

const scope = { redis: { options: { username: 'app' } }, keys: new Keyspace() };

describe('explainRefusal', () => {
  it('names the user, the command and the rule to grant for a refused command (7.0)', () => {
    const error = explainRefusal(
      reply("NOPERM this user has no permissions to run the 'publish' command", 'publish', ['c', 'm']),
      scope,
    );
    expect(error).toBeInstanceOf(RedisPermissionError);
    expect(error).toMatchObject({ user: 'app', command: 'publish', missing: 'command', grant: '+publish' });
    expect((error as Error).message).toMatch(
      /^Redis user "app" may not run PUBLISH \(Redis said: NOPERM .*\)\. Grant it: ACL SETUSER app \+publish\. /,
    );
    expect((error as Error).cause).toBeInstanceOf(Error);
  });

  it("reads the user from Redis 7.2+'s own words", () => {
    const error = explainRefusal(
      reply("NOPERM User bob has no permissions to run the 'hset' command", 'hset'),
    );
    expect(error).toMatchObject({ user: 'bob', command: 'hset', grant: '+hset' });
  });

  it('names the keys of the refused command and the prefix to grant, for each shape of command', () => {
    const key70 = 'NOPERM this user has no permissions to access one of the keys used as arguments';
    expect(explainRefusal(reply(key70, 'set', ['hydra:service:a:service', '{}']), scope)).toMatchObject({
      missing: 'key',
      names: ['hydra:service:a:service'],
      grant: '~hydra:service:*',
    });
    const key72 = 'NOPERM No permissions to access a key';
    expect(explainRefusal(reply(key72, 'mget', ['k1', 'k2']), scope)).toMatchObject({ names: ['k1', 'k2'] });
    expect(explainRefusal(reply(key72, 'evalsha', ['sha', 2, 'k1', 'k2', 'arg']), scope)).toMatchObject({
      names: ['k1', 'k2'],
    });
    expect(explainRefusal(reply(key72, 'rpoplpush', ['a', 'b']), scope)).toMatchObject({ names: ['a', 'b'] });
    const quoted = "NOPERM No permissions to access the 'hydra:service:x' key";
    expect(explainRefusal(reply(quoted, 'get', ['y']))).toMatchObject({ names: ['hydra:service:x'] });
    const many = explainRefusal(reply(key72, 'del', ['a', 'b', 'c', 'd', 'e']), scope) as Error;
    expect(many.message).toContain('may not use the keys of DEL (a, b, c and 2 more)');
  });

  it('names the channels refused and the channel rule of the prefix', () => {
    const text = 'NOPERM this user has no permissions to access one of the channels used as arguments';
    const error = explainRefusal(reply(text, 'subscribe', ['acme:mc:a', 'acme:mc:a:1']), {
      keys: new Keyspace({ prefix: 'acme' }),
    });
    expect(error).toMatchObject({
      user: 'default',
      command: 'subscribe',
      missing: 'channel',
      names: ['acme:mc:a', 'acme:mc:a:1'],
      grant: '&acme:*',
    });
  });

  it('does not take a command named after channels or keys for a channel or key refusal', () => {
    const text = "NOPERM this user has no permissions to run the 'pubsub|channels' command";
    expect(explainRefusal(reply(text, 'pubsub'))).toMatchObject({
      missing: 'command',
      grant: '+pubsub|channels',
    });
  });

  it('explains a refusal inside a Lua script, naming the command when Redis does (7.2+), else every one (7.0)', () => {
    const sha = 'a'.repeat(40);
    const named = `ERR ACL failure in script: User app has no permissions to run the 'time' command script: ${sha}, on @user_script:2.`;
    const error72 = explainRefusal(reply(named, 'evalsha', [sha, 0]), scope) as RedisPermissionError;
    expect(error72).toMatchObject({ command: 'time', missing: 'command', grant: '+time' });
    expect(error72.message).toContain('may not run TIME (called by a Lua script)');
    const anonymous = `ERR The user executing the script can't run this command or subcommand script: ${sha}, on @user_script:16.`;
    const error70 = explainRefusal(reply(anonymous, 'evalsha', [sha, 0]), scope) as RedisPermissionError;
    expect(error70).toMatchObject({ command: 'evalsha', missing: 'command' });
    expect(error70.grant).toMatch(/^\+select .*\+time$/);
    expect(error70.message).toContain(
      'may not run a command of the Lua script that EVALSHA ran (its line 16)',
    );
    const keys = `ERR The user executing the script can't access at least one of the keys mentioned in the command arguments script: ${sha}, on @user_script:1.`;
    expect(explainRefusal(reply(keys, 'evalsha', [sha, 1, 'k', 'v']), scope)).toMatchObject({
      missing: 'key',
      names: ['k'],
    });
  });

  it('finds the refusal behind a MULTI that Redis discarded or never began', () => {
    const refused = reply(
      'NOPERM this user has no permissions to access one of the keys used as arguments',
      'sadd',
      ['r'],
    );
    const aborted = Object.assign(
      reply('EXECABORT Transaction discarded because of previous errors.', 'exec'),
      {
        previousErrors: [refused],
      },
    );
    expect(explainRefusal(aborted, scope)).toMatchObject({ command: 'sadd', missing: 'key', names: ['r'] });
    const noMulti = Object.assign(reply('ERR EXEC without MULTI', 'exec'), {
      previousErrors: [reply("NOPERM this user has no permissions to run the 'multi' command", 'multi')],
    });
    expect(explainRefusal(noMulti, scope)).toMatchObject({ command: 'multi', grant: '+multi' });
    const inline = reply(
      "EXECABORT Transaction discarded because of: NOPERM this user has no permissions to run the 'exec' command",
      'exec',
    );
    expect(explainRefusal(inline, scope)).toMatchObject({ command: 'exec', grant: '+exec' });
  });

  it('leaves every other error as it is', async () => {
    for (const other of [
      reply('WRONGTYPE Operation against a key holding the wrong kind of value', 'get'),
      reply('ERR EXEC without MULTI', 'exec'),
      new RedisUnavailableError('gone'),
      'a string',
      undefined,
    ]) {
      expect(explainRefusal(other, scope)).toBe(other);
      expect(isRedisPermissionRefusal(other)).toBe(false);
    }
    const explained = explainRefusal(reply('NOPERM No permissions to access a key', 'get', ['k']));
    expect(explainRefusal(explained, scope)).toBe(explained);
    expect(isRedisPermissionRefusal(explained)).toBe(true);
    await expect(explainRefusals(scope, Promise.resolve(7))).resolves.toBe(7);
    await expect(
      explainRefusals(
        scope,
        Promise.reject(reply("NOPERM User app has no permissions to run the 'get' command")),
      ),
    ).rejects.toBeInstanceOf(RedisPermissionError);
  });

  it('grants a prefix with glob characters literally', () => {
    expect(new Keyspace({ prefix: 'a*b' }).aclKeyPattern()).toBe('a\\*b:*');
  });
});
