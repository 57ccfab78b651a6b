// Detects other processes competing for the CPUs during a measurement: the machine's busy CPU time
// (os.cpus() counters) minus the CPU time of the processes under test, of Redis (INFO cpu) and of the
// orchestrator. On a shared 2-core machine a neighbour's test run can move a figure by 2-3x either way
// (busy CPUs even shorten wake-up latencies), so a disturbed measurement is run again.

import os from 'node:os';
import { hrMs } from './common.mjs';

/** Foreign CPU above this fraction of the machine's capacity marks a measurement as disturbed. */
export const FOREIGN_LIMIT = 0.1;

function machineBusyMs() {
  let busy = 0;
  for (const cpu of os.cpus()) {
    const t = cpu.times;
    busy += t.user + t.nice + t.sys + t.irq;
  }
  return busy;
}

/** Redis CPU ms of `admin`'s server, or summed over several (the nodes of a cluster). */
async function redisCpuMs(admin) {
  if (Array.isArray(admin)) return (await Promise.all(admin.map(redisCpuMs))).reduce((a, b) => a + b, 0);
  const info = await admin.info('cpu');
  const field = (name) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return (field('used_cpu_sys') + field('used_cpu_user')) * 1000;
}

async function snapshot(admin, children) {
  const [redis, ...childMs] = await Promise.all([
    redisCpuMs(admin),
    ...children.map((child) => child.call('cpu', {}, 5000).then((r) => r.ms)),
  ]);
  const self = process.cpuUsage();
  return {
    at: hrMs(),
    machine: machineBusyMs(),
    ours: redis + childMs.reduce((a, b) => a + b, 0) + (self.user + self.system) / 1000,
  };
}

/**
 * Starts metering; `stop()` gives the elapsed time and, as fractions of the whole machine's CPU capacity,
 * what the processes under test used (`ours`) and what everything else used (`foreign`).
 */
export async function startCpuMeter(admin, children) {
  const before = await snapshot(admin, children);
  return {
    async stop() {
      const after = await snapshot(admin, children);
      const capacity = (after.at - before.at) * os.cpus().length;
      const machine = after.machine - before.machine;
      const ours = after.ours - before.ours;
      return {
        elapsedMs: Math.round(after.at - before.at),
        ours: round3(ours / capacity),
        foreign: round3(Math.max(0, machine - ours) / capacity),
      };
    },
  };
}

function round3(x) {
  return Math.round(x * 1000) / 1000;
}
