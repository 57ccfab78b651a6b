// The redis-cli parts of RedisCluster: finding the binary and `redis-cli --cluster create`.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

/** Finds redis-cli (REDIS_CLI_BIN, beside REDIS_SERVER_BIN, or on PATH) or says how to install it. */
export function findRedisCli() {
  const server = process.env.REDIS_SERVER_BIN;
  const beside = server ? path.join(path.dirname(server), 'redis-cli') : undefined;
  for (const bin of [process.env.REDIS_CLI_BIN, beside, 'redis-cli']) {
    if (!bin || (bin !== 'redis-cli' && !existsSync(bin))) continue;
    try {
      execFileSync(bin, ['--version'], { stdio: 'ignore' });
      return bin;
    } catch {
      // try the next candidate
    }
  }
  throw new Error(
    'redis-cli was not found on PATH; RedisCluster needs it for `redis-cli --cluster create`. It comes ' +
      'with redis-server (Debian/Ubuntu: `apt-get install -y redis-server`, macOS: `brew install redis`), ' +
      'or set REDIS_CLI_BIN to its path.',
  );
}

/**
 * Joins empty cluster-enabled nodes (`host:port` strings) into one cluster: the first of them become
 * masters, with `replicas` replicas each, as `redis-cli --cluster create` assigns them. Rejects with the
 * end of redis-cli's output when it fails or takes longer than `timeoutMs`.
 */
export function createCluster(addresses, { replicas, timeoutMs }) {
  const bin = findRedisCli();
  const args = ['--cluster', 'create', ...addresses, '--cluster-replicas', String(replicas), '--cluster-yes'];
  return new Promise((resolve, reject) => {
    execFile(bin, args, { timeout: timeoutMs }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      const output = `${stdout}${stderr}`.trim().split('\n').slice(-15).join('\n');
      const why = error.killed ? `no answer within ${timeoutMs} ms` : error.message.split('\n')[0];
      reject(new Error(`redis-cli --cluster create failed (${why}):\n${output}`));
    });
  });
}
