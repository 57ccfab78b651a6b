// The entry point of every benchmark child process: `node --expose-gc child.mjs <role> <module>`.
// It loads one contender module (reporting a load failure instead of crashing, so the orchestrator can
// skip that contender), then runs the measurement loops the orchestrator asks for over IPC. The loops
// live here, not in the contenders, so every contender is measured by exactly the same code.
//
// Roles and the functions a contender module exports for them:
//   server   start(cfg) -> info, stop()                  cfg.onEvent() must be called once per event
//   client   connect(cfg), request(payload) -> body, emit(payload) -> Promise, close()
//   worker   setup(cfg), start(), stop()                 cfg.onJob(body) must be called when a job starts
//   producer setup(cfg), enqueue(body) -> Promise, close()
import { setImmediate } from 'node:timers';
import { pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { errorText, hrMs, makeJobBody, makePayload, Samples, sleep, wallMs } from './common.mjs';

const [role, modulePath] = process.argv.slice(2);
let mod;

function send(message) {
  if (process.connected) process.send(message);
}

// The orchestrator is gone: nothing left to measure for.
process.on('disconnect', () => process.exit(0));
// Exit normally on SIGTERM, so that exit-time work (e.g. --cpu-prof profiles) happens.
process.on('SIGTERM', () => process.exit(0));
process.on('unhandledRejection', (reason) => {
  process.stderr.write(`[${role}] unhandled rejection: ${errorText(reason)}\n`);
});

/* ------------------------------------------------------------------ server ---------------------------- */

const server = {
  events: 0,
  async start(cfg) {
    return (await mod.start({ ...cfg, onEvent: () => server.events++ })) ?? {};
  },
  count() {
    return { count: server.events, t: hrMs() };
  },
  resetCount() {
    server.events = 0;
    return { count: 0 };
  },
  rss: (args) => settledRss(args),
  async stop() {
    await mod.stop?.();
    return {};
  },
};

/**
 * RSS once it has settled, in bytes (the child runs with --expose-gc). After a load, V8 keeps the young
 * generation it grew until its memory reducer shrinks it, which it does some seconds after forced GCs
 * begin (2-6 s here); read before that, RSS is 10-40 MB high and varies from run to run. So: a forced
 * GC every second, reading RSS, until at least `minWaitMs` have passed and the last three readings agree
 * within 0.25 MB (or `maxWaitMs` is over).
 */
async function settledRss({ minWaitMs = 10_000, maxWaitMs = 20_000, everyMs = 1000 } = {}) {
  const gc = globalThis.gc ?? (() => undefined);
  const start = hrMs();
  const readings = [];
  let usage;
  while (true) {
    gc();
    await sleep(everyMs);
    usage = process.memoryUsage();
    readings.push(Math.round(usage.rss / 104857.6) / 10);
    const elapsed = hrMs() - start;
    if (elapsed >= maxWaitMs) break;
    const last = readings.slice(-3);
    if (elapsed >= minWaitMs && last.length === 3 && Math.max(...last) - Math.min(...last) < 0.25) break;
  }
  return { rss: usage.rss, heapUsed: usage.heapUsed, readingsMB: readings, gc: Boolean(globalThis.gc) };
}

/* ------------------------------------------------------------------ client ---------------------------- */

const client = {
  emitter: undefined,
  async connect(cfg) {
    return (await mod.connect(cfg)) ?? {};
  },
  /** One request; the reply must carry the payload back unchanged. */
  async check({ payloadBytes }) {
    const payload = makePayload(payloadBytes);
    const reply = await mod.request(payload);
    if (!isDeepStrictEqual(reply, payload)) {
      throw new Error(
        `echo mismatch: sent ${JSON.stringify(payload).slice(0, 80)}..., got ${JSON.stringify(reply)?.slice(0, 80)}`,
      );
    }
    return { ok: true };
  },
  /**
   * Closed loop: `concurrency` workers each send a request and wait for its reply, then send the next.
   * Counts the replies that arrive in the measurement window (after `warmupMs`) and records the latency
   * of each of them.
   */
  async loop({ concurrency, warmupMs, measureMs, payloadBytes, drainMs = 10_000, returnSamples = false }) {
    const payload = makePayload(payloadBytes);
    const samples = new Samples(1 << 15);
    let phase = 'warmup';
    let count = 0;
    let errors = 0;
    let lastError;
    let finished = 0;
    /** Replies in every phase: what the Redis servers saw, for the cluster bench's per-node counts. */
    let replied = 0;
    const request = mod.request;
    const worker = async () => {
      while (phase !== 'stop') {
        const t0 = hrMs();
        try {
          await request(payload);
        } catch (error) {
          errors++;
          lastError = error;
          await sleep(1);
          continue;
        }
        replied++;
        if (phase === 'measure') {
          count++;
          samples.push(hrMs() - t0);
        }
      }
    };
    const workers = [];
    for (let i = 0; i < concurrency; i++) workers.push(worker().finally(() => finished++));
    await sleep(warmupMs);
    phase = 'measure';
    const start = hrMs();
    await sleep(measureMs);
    const end = hrMs();
    phase = 'stop';
    const all = Promise.all(workers);
    await Promise.race([all, sleep(drainMs)]);
    const seconds = (end - start) / 1000;
    return {
      count,
      seconds,
      rate: count / seconds,
      latencyMs: samples.summary(),
      samples: returnSamples ? Array.from(samples.values.subarray(0, samples.length)) : undefined,
      errors,
      lastError: lastError ? String(lastError?.message ?? lastError) : undefined,
      stuck: concurrency - finished,
      replied,
    };
  },
  /** Starts emitting one-way events as fast as the in-flight and lag bounds allow; returns at once. */
  eventsStart({ payloadBytes, maxInFlight = 256, maxLag = 20_000 }) {
    const payload = makePayload(payloadBytes);
    const state = { running: true, sent: 0, acked: 0, errors: 0, received: 0, inFlight: 0, wake: undefined };
    const wakeUp = () => {
      const wake = state.wake;
      state.wake = undefined;
      wake?.();
    };
    const onDone = () => {
      state.inFlight--;
      state.acked++;
      if (state.wake) wakeUp();
    };
    const onError = () => {
      state.inFlight--;
      state.errors++;
      if (state.wake) wakeUp();
    };
    const emit = mod.emit;
    state.wakeUp = wakeUp;
    state.done = (async () => {
      while (state.running) {
        if (state.inFlight >= maxInFlight || state.sent - state.received >= maxLag) {
          await new Promise((resolve) => (state.wake = resolve));
          continue;
        }
        state.inFlight++;
        state.sent++;
        let pending;
        try {
          pending = emit(payload);
        } catch (error) {
          pending = Promise.reject(error);
        }
        pending.then(onDone, onError);
        // Let replies, acks and IPC in every so often even when emit() resolves synchronously.
        if ((state.sent & 63) === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      const deadline = hrMs() + 10_000;
      while (state.inFlight > 0 && hrMs() < deadline) await sleep(5);
    })();
    client.emitter = state;
    return { started: true };
  },
  /** The orchestrator relays how many events the server has received (the lag bound needs it). */
  progress({ received }) {
    const state = client.emitter;
    if (state) {
      state.received = received;
      if (state.wake) state.wakeUp();
    }
    return {};
  },
  async eventsStop() {
    const state = client.emitter;
    if (!state) return { sent: 0 };
    state.running = false;
    if (state.wake) state.wakeUp();
    await state.done;
    client.emitter = undefined;
    return { sent: state.sent, acked: state.acked, errors: state.errors, inFlight: state.inFlight };
  },
  async close() {
    await mod.close?.();
    return {};
  },
};

/* ------------------------------------------------------------------ queue worker ---------------------- */

const worker = {
  count: 0,
  first: 0,
  last: 0,
  latency: new Samples(1 << 14),
  waiters: [],
  onJob(body) {
    const t = hrMs();
    worker.count++;
    if (worker.count === 1) worker.first = t;
    worker.last = t;
    if (body && body.m === 1) worker.latency.push(wallMs() - body.t);
    if (worker.waiters.length > 0) {
      for (const waiter of worker.waiters.splice(0)) {
        if (worker.count >= waiter.n) waiter.resolve();
        else worker.waiters.push(waiter);
      }
    }
  },
  async setup(cfg) {
    return (await mod.setup({ ...cfg, onJob: worker.onJob })) ?? {};
  },
  async start() {
    const t = hrMs();
    await mod.start?.();
    return { startedAt: t };
  },
  resetStats() {
    worker.count = 0;
    worker.first = 0;
    worker.last = 0;
    worker.latency = new Samples(1 << 14);
    return {};
  },
  stats() {
    return {
      count: worker.count,
      firstToLastMs: worker.last - worker.first,
      latencyMs: worker.latency.summary(),
    };
  },
  /** Resolves once `n` jobs have started, or after `timeoutMs` with `timedOut: true`. */
  async waitCount({ n, timeoutMs }) {
    if (worker.count < n) {
      let timer;
      const reached = new Promise((resolve) => worker.waiters.push({ n, resolve }));
      const timedOut = await Promise.race([
        reached.then(() => false),
        new Promise((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs))),
      ]);
      clearTimeout(timer);
      if (timedOut) return { ...worker.stats(), timedOut: true };
    }
    return worker.stats();
  },
  rss: (args) => settledRss(args),
  async stop() {
    await mod.stop?.();
    return {};
  },
};

/* ------------------------------------------------------------------ queue producer -------------------- */

const producer = {
  async setup(cfg) {
    return (await mod.setup(cfg)) ?? {};
  },
  /** Enqueues `n` bodies of ~`bytes` bytes with at most `window` enqueue calls in flight. */
  async enqueueMany({ n, window = 64, bytes = 100 }) {
    let next = 0;
    let errors = 0;
    let lastError;
    const enqueue = mod.enqueue;
    const lane = async () => {
      while (next < n) {
        const seq = next++;
        try {
          await enqueue(makeJobBody(seq, bytes));
        } catch (error) {
          errors++;
          lastError = error;
        }
      }
    };
    const start = hrMs();
    const lanes = [];
    for (let i = 0; i < Math.min(window, n); i++) lanes.push(lane());
    await Promise.all(lanes);
    const ms = hrMs() - start;
    return {
      n,
      ms,
      rate: (n * 1000) / ms,
      errors,
      lastError: lastError ? String(lastError.message) : undefined,
    };
  },
  /**
   * Enqueues at a steady `rate` per second for `warmupMs + measureMs`; bodies sent after the warm-up are
   * flagged (`m: 1`) so that the worker records their enqueue-to-start latency.
   */
  async steady({ rate, warmupMs, measureMs, bytes = 100, maxInFlight = 256 }) {
    const enqueue = mod.enqueue;
    const start = hrMs();
    const end = start + warmupMs + measureMs;
    let sent = 0;
    let measured = 0;
    let inFlight = 0;
    let errors = 0;
    let skipped = 0;
    while (true) {
      const now = hrMs();
      if (now >= end) break;
      const due = Math.floor(((now - start) * rate) / 1000);
      while (sent < due) {
        if (inFlight >= maxInFlight) {
          skipped += due - sent;
          sent = due;
          break;
        }
        const body = makeJobBody(sent, bytes);
        if (now - start >= warmupMs) {
          body.m = 1;
          measured++;
        }
        sent++;
        inFlight++;
        enqueue(body).then(
          () => inFlight--,
          () => {
            inFlight--;
            errors++;
          },
        );
      }
      await sleep(1);
    }
    while (inFlight > 0) await sleep(2);
    return { sent, measured, errors, skipped };
  },
  async close() {
    await mod.close?.();
    return {};
  },
};

/* ------------------------------------------------------------------ IPC ------------------------------- */

const roles = { server, client, worker, producer };
const handlers = roles[role];
/** CPU time this process has used, in ms (the orchestrator subtracts ours from the machine's). */
if (handlers) {
  handlers.cpu = () => {
    const usage = process.cpuUsage();
    return { ms: (usage.user + usage.system) / 1000 };
  };
}

process.on('message', async (message) => {
  if (!message || typeof message.id !== 'number') return;
  const { id, cmd, args } = message;
  const fn = handlers?.[cmd];
  if (!fn) {
    send({ id, ok: false, error: `${role} has no command ${cmd}` });
    return;
  }
  try {
    const result = await fn(args ?? {});
    send({ id, ok: true, result });
  } catch (error) {
    send({ id, ok: false, error: errorText(error) });
  }
});

try {
  if (!handlers) throw new Error(`unknown role ${role}`);
  mod = await import(pathToFileURL(modulePath).href);
  send({ type: 'loaded' });
} catch (error) {
  send({ type: 'load-error', error: errorText(error) });
  // Give the IPC message time to leave, then go.
  setTimeout(() => process.exit(0), 50);
}
