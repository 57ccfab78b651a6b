// Processes of the router benchmark: forked or spawned, waited for until they serve, and always killed on
// the way out (normal end, error, Ctrl-C), as is the private Redis.
import { fork, spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { installCleanup as installCleanupWith } from '../lib/proc.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const live = new Set();
const cleanups = [];

/** A contender that cannot run here (not built, not installed...): skipped with the reason. */
export class SkipError extends Error {}

/** An environment without variables that would steer a library away from the private Redis. */
function cleanEnv() {
  const env = { ...process.env };
  for (const name of ['HYDRA_REDIS_URL', 'HYDRA_SERVICE', 'REDIS_URL', 'NODE_OPTIONS', 'HYDRA_ROUTER_ENV']) {
    delete env[name];
  }
  return env;
}

function track(proc) {
  const output = { text: '' };
  const keep = (chunk) => (output.text = (output.text + chunk.toString()).slice(-4000));
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  live.add(proc);
  proc.once('exit', () => live.delete(proc));
  return output;
}

function tail(output) {
  const text = output.text.trim();
  return text ? `; last output: ${text.split('\n').slice(-4).join(' | ')}` : '';
}

/**
 * Forks `bench/router/<script>` with `config` and waits for its `ready` message (resolves it, with the
 * process as `proc`); a `load-error` message rejects with {@link SkipError}.
 */
export function forkScript(script, config, timeoutMs = 30_000) {
  const proc = fork(path.join(here, script), [JSON.stringify(config)], {
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const output = track(proc);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${script} was not ready in ${timeoutMs} ms${tail(output)}`));
    }, timeoutMs);
    proc.on('message', (message) => {
      if (message?.type === 'ready') {
        clearTimeout(timer);
        resolve({ ...message, proc });
      } else if (message?.type === 'load-error') {
        clearTimeout(timer);
        proc.kill('SIGKILL');
        reject(new SkipError(message.error));
      }
    });
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(`${script} exited (code ${code}, signal ${signal}) before it was ready${tail(output)}`),
      );
    });
  });
}

/** Spawns `node <entry>` in `cwd` and waits until `readyUrl` answers 200. */
export async function spawnNode(entry, cwd, readyUrl, timeoutMs = 30_000) {
  const proc = spawn(process.execPath, [entry], { cwd, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const output = track(proc);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`${entry} exited (code ${proc.exitCode})${tail(output)}`);
    if ((await statusOf(readyUrl)) === 200) return { proc };
    await new Promise((r) => setTimeout(r, 200));
  }
  proc.kill('SIGKILL');
  throw new Error(`${entry} did not answer ${readyUrl} in ${timeoutMs} ms${tail(output)}`);
}

/** The status `url` answers to GET, or to POST of `body` (JSON) when given; 0 when it does not answer. */
export function statusOf(url, body) {
  return new Promise((resolve) => {
    const req = http.request(
      url,
      body === undefined
        ? { method: 'GET' }
        : { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': body.length } },
      (res) => {
        res.resume();
        resolve(res.statusCode);
      },
    );
    req.on('error', () => resolve(0));
    req.setTimeout(1000, () => req.destroy());
    req.end(body);
  });
}

/** A one-request-at-a-time IPC client of `load.mjs`. */
export async function startLoadGenerator() {
  const { proc } = await forkScript('load.mjs', {});
  let nextId = 1;
  return {
    measure(args, timeoutMs = 120_000) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`load generator: no answer in ${timeoutMs} ms`)),
          timeoutMs,
        );
        const onMessage = (message) => {
          if (message?.id !== id) return;
          proc.off('message', onMessage);
          clearTimeout(timer);
          if (message.ok) resolve(message.result);
          else reject(new Error(message.error));
        };
        proc.on('message', onMessage);
        proc.send({ id, args });
      });
    },
  };
}

/** Also run `fn` on the way out (temporary directories, the Redis). */
export function onCleanup(fn) {
  cleanups.push(fn);
}

/** SIGKILLs every process started, then runs the cleanups; synchronous, safe to call twice. */
export function killEverything() {
  for (const proc of [...live]) {
    try {
      proc.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
  for (const fn of cleanups.splice(0)) {
    try {
      fn();
    } catch {
      // best effort on the way out
    }
  }
}

/** Kills everything this file started on exit, Ctrl-C, SIGTERM and crashes. */
export function installCleanup() {
  installCleanupWith(killEverything);
}
