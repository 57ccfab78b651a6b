// Instructions one look for an OpenTelemetry SDK costs when none is registered: the check every
// message makes (`activeTracer()`, twice a request on the server, once on the client). Run under
// callgrind, it calls the check in a loop between two dumps and divides by the calls; an empty loop of
// the same length, between two more dumps, is taken out:
//
//   valgrind --tool=callgrind --callgrind-out-file=/tmp/tc.%p node bench/tracer-check-cost.mjs
//   (or `node bench/tracer-check-cost.mjs --run`, which does that and prints the figure)
//
// Needs `npm run build`. A count, not a time: the same figure on a busy or a quiet machine.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CALLS = 2_000_000;
const here = fileURLToPath(import.meta.url);

function dump() {
  execFileSync('callgrind_control', ['--dump', String(process.pid)], { stdio: 'ignore' });
}

async function measureInside() {
  const { activeTracer } = await import('../packages/core/dist/tracing/active-tracer.js');
  let found = 0;
  const check = () => {
    for (let i = 0; i < CALLS; i++) if (activeTracer() !== undefined) found++;
  };
  const empty = () => {
    for (let i = 0; i < CALLS; i++) if (i < 0) found++;
  };
  // Optimised before counting.
  for (let round = 0; round < 5; round++) {
    check();
    empty();
  }
  dump();
  check();
  dump();
  empty();
  dump();
  if (found !== 0) throw new Error('an SDK is registered: the figure is meant for none');
}

function instructionsOf(file) {
  return Number(/^summary:\s+(\d+)/m.exec(readFileSync(file, 'utf8'))[1]);
}

function runUnderCallgrind() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tracer-check-'));
  try {
    const result = spawnSync(
      'valgrind',
      ['--tool=callgrind', '--separate-threads=yes', `--callgrind-out-file=${dir}/tc.%p`, 'node', here],
      { stdio: ['ignore', 'inherit', 'pipe'] },
    );
    if (result.status !== 0) throw new Error(`valgrind failed: ${result.stderr.toString().slice(-500)}`);
    const part = (n) =>
      instructionsOf(
        path.join(
          dir,
          readdirSync(dir).find((f) => f.endsWith(`.${n}-01`)),
        ),
      );
    const perCall = (part(2) - part(3)) / CALLS;
    process.stdout.write(
      `activeTracer() with no SDK: ${perCall.toFixed(1)} instructions a call (main thread, ${CALLS.toLocaleString('en-US')} calls, empty loop taken out)\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes('--run')) runUnderCallgrind();
else await measureInside();
