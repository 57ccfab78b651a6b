// The load generator of bench/router.mjs, in a process of its own so that it never shares an event
// loop with what it measures. The same code drives every contender: `concurrency` loops, each sending
// POST <url> with the same ~100-byte JSON body on keep-alive connections as soon as its previous
// response ended; a warm-up window first, then a measured one.
import http from 'node:http';
import { hrMs, makePayload, Samples } from '../lib/common.mjs';

const BODY = Buffer.from(JSON.stringify(makePayload(100)));

function post(agent, target) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': BODY.length },
      },
      (res) => {
        let size = 0;
        res.on('data', (chunk) => (size += chunk.length));
        res.on('end', () => resolve(res.statusCode === 200 && size > 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(BODY);
  });
}

/** Runs `concurrency` loops for warm-up then measurement; latencies and counts of the measured window. */
async function measure({ url, concurrency, warmupMs, durationMs }) {
  const target = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const samples = new Samples();
  let ok = 0;
  let errors = 0;
  let firstError;
  let recording = false;
  let stopAt = hrMs() + warmupMs + durationMs;
  const loop = async () => {
    while (hrMs() < stopAt) {
      const start = hrMs();
      try {
        const good = await post(agent, target);
        if (!recording) continue;
        if (good) {
          ok++;
          samples.push(hrMs() - start);
        } else errors++;
      } catch (error) {
        if (recording) errors++;
        firstError ??= String(error?.message ?? error);
        if (!recording) await new Promise((r) => setTimeout(r, 10));
      }
    }
  };
  const loops = Array.from({ length: concurrency }, loop);
  await new Promise((r) => setTimeout(r, warmupMs));
  recording = true;
  const measuredFrom = hrMs();
  stopAt = measuredFrom + durationMs;
  await Promise.all(loops);
  const elapsedMs = hrMs() - measuredFrom;
  agent.destroy();
  return { ok, errors, firstError, rps: ok / (elapsedMs / 1000), elapsedMs, latencyMs: samples.summary() };
}

process.on('message', async (message) => {
  try {
    process.send({ id: message.id, ok: true, result: await measure(message.args) });
  } catch (error) {
    process.send({ id: message.id, ok: false, error: String(error?.stack ?? error) });
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ type: 'ready' });
