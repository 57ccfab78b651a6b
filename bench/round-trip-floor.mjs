// `node bench/round-trip-floor.mjs [--connections 5000] [--window 10]`: what one Redis spends when each of
// N connections makes one round trip a second, at random phases, from raw sockets (so the load itself
// costs next to nothing): a PING, then Hydra 1.x's presence refresh (SETEX of the presence key and HSET
// of the nodes entry, pipelined). The least any instance that keeps Hydra's 1 s refresh over its own
// connection can cost Redis on this machine; compare with `bench/scale.mjs` at the same size. Starts its
// own redis-server on a free port and reads it through INFO (bench/lib/topologies.mjs); prints a table
// and writes bench/results/round-trip-floor.json.
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sleep } from './lib/common.mjs';
import { describeMachine, installCleanup, runBench, startWatchdog, writeResults } from './lib/proc.mjs';
import { deltas, readAll, startTopologies } from './lib/topologies.mjs';

const { values: args } = parseArgs({
  options: {
    connections: { type: 'string', default: '5000' },
    window: { type: 'string', default: '10' },
  },
});
const CONNECTIONS = Number(args.connections);
const WINDOW_MS = Number(args.window) * 1000;

/** A command in RESP, as a client writes it. */
const resp = (...words) =>
  `*${words.length}\r\n${words.map((w) => `$${Buffer.byteLength(w)}\r\n${w}\r\n`).join('')}`;

/** A nodes entry of Hydra's size and shape. */
const entry = (id) =>
  JSON.stringify({
    serviceName: 'floor-svc',
    serviceDescription: 'not specified',
    version: '1.0.0',
    instanceID: id,
    updatedOn: new Date().toISOString(),
    processID: process.pid,
    ip: '127.0.0.1',
    port: 4000,
    hostName: 'bench-host',
  });

const LOADS = [
  { name: 'PING', payload: () => resp('PING') },
  {
    name: 'presence SETEX + nodes HSET',
    payload: (i) => {
      const id = i.toString(16).padStart(32, '0');
      return (
        resp('SETEX', `hydra:service:floor-svc:${id}:presence`, '3', id) +
        resp('HSET', 'hydra:service:nodes', id, entry(id))
      );
    },
  },
];

async function measure(topology, load) {
  const { port } = topology.nodes[0];
  const sockets = [];
  for (let i = 0; i < CONNECTIONS; i++) {
    const socket = net.connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
    sockets.push(socket);
    if (i % 500 === 499) await sleep(20); // keeps the accept backlog short
  }
  const timers = [];
  sockets.forEach((socket, i) => {
    const beat = () => socket.write(load.payload(i));
    const first = () => {
      beat();
      timers.push(setInterval(beat, 1000));
    };
    timers.push(setTimeout(first, Math.random() * 1000));
  });
  await sleep(3000); // every connection at its pace
  const before = await readAll(topology);
  await sleep(WINDOW_MS);
  const [window] = deltas(topology, before, await readAll(topology));
  for (const timer of timers) clearTimeout(timer); // clears intervals too
  for (const socket of sockets) socket.destroy();
  await sleep(1000);
  return { load: load.name, connections: CONNECTIONS, redisCorePct: window.corePct };
}

async function main() {
  installCleanup();
  startWatchdog('round-trip-floor', 5);
  const started = performance.now();
  const [topology] = await startTopologies(['single'], ['--maxclients', String(CONNECTIONS + 1000)]);
  try {
    const rows = [];
    for (const load of LOADS) rows.push(await measure(topology, load));
    process.stdout.write(
      `\n${CONNECTIONS} connections, one round trip each a second, ${WINDOW_MS / 1000} s windows:\n`,
    );
    for (const row of rows) {
      process.stdout.write(
        `  ${row.load.padEnd(30)} Redis ${row.redisCorePct.toFixed(1).padStart(5)}% of a core\n`,
      );
    }
    const durationSeconds = (performance.now() - started) / 1000;
    writeResults('round-trip-floor.json', { rows, machine: describeMachine(), durationSeconds }, (line) =>
      process.stdout.write(`${line}\n`),
    );
  } finally {
    await topology.stop();
  }
}

runBench('round-trip-floor', main);
