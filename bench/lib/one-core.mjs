// Confines the processes of one measurement (server, client, Redis) to one CPU with `taskset`, for the
// "one core" latency scenarios. On a small VM, a request at concurrency 1 crosses between vCPUs four times,
// and how the kernel places the three processes on the two vCPUs changes from second to second: a round
// then runs 2-3x slower, with every process (Redis too, whose work per request is the same for every
// contender) taking about twice the CPU per request. On one core that placement noise is gone, and what
// is left is what each contender's code costs per request.
import { execFileSync } from 'node:child_process';
import os from 'node:os';

function affinity(pid) {
  const out = execFileSync('taskset', ['-c', '-p', String(pid)], { encoding: 'utf8' });
  return out.slice(out.lastIndexOf(':') + 1).trim(); // "pid 12's current affinity list: 0,1"
}

function setAffinity(pid, cpus) {
  execFileSync('taskset', ['-a', '-c', '-p', cpus, String(pid)], { stdio: 'ignore' });
}

/**
 * The CPU the measured processes share (the first one this process may use), or the reason why there is
 * none: not Linux, no `taskset`, or only one CPU allowed (then the c=1 scenarios already run on one core).
 */
export function chooseCore() {
  if (os.platform() !== 'linux') return { reason: 'needs Linux and taskset' };
  let allowed;
  try {
    allowed = affinity(process.pid);
  } catch {
    return { reason: 'taskset (util-linux) was not found' };
  }
  const cpus = allowed.split(',').flatMap((part) => {
    const [from, to = from] = part.split('-').map(Number);
    return Array.from({ length: to - from + 1 }, (_, i) => from + i);
  });
  if (cpus.length < 2) return { reason: 'this run may use only one CPU: the c=1 rounds already share it' };
  // The first CPU: with everything on CPU 0, rounds agreed within ~5% in five runs here (2026-12-01);
  // with the measured processes on CPU 1, two full runs had rounds of the same contender 2x apart.
  return { core: cpus[0], others: cpus.slice(1).join(',') };
}

/**
 * Runs `measure` with every thread of `pids` on the chosen core and those of `bystanders` (the
 * orchestrator, the idle contenders) on the other CPUs, so that nothing else runs on that core; each
 * process gets its own CPU list back afterwards.
 */
export async function onOneCore({ core, others }, pids, bystanders, measure) {
  const before = [...pids, ...bystanders].map((pid) => [pid, affinity(pid)]);
  for (const pid of pids) setAffinity(pid, String(core));
  for (const pid of bystanders) setAffinity(pid, others);
  try {
    return await measure();
  } finally {
    for (const [pid, cpus] of before) {
      try {
        setAffinity(pid, cpus);
      } catch {
        // the process has exited (a failed contender): nothing to give back
      }
    }
  }
}
