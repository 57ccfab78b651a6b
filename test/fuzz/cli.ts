// `npm run fuzz -- --seed N --messages M [--forge-replies] [--huge-mb X]`: a longer fuzz campaign against
// the built packages, with its figures. Exits 1 when the service did not hold, printing the seed to
// replay. Run directly on the sources with
//   node --conditions=source --import ./test/crash/register-ts.mjs test/fuzz/cli.ts --sources --seed N
import { parseArgs } from 'node:util';
import { mib, runFuzz, type FuzzReport } from './runner.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    messages: { type: 'string', default: '100000' },
    'forge-replies': { type: 'boolean', default: false },
    'huge-mb': { type: 'string', default: '9' },
    sources: { type: 'boolean', default: false },
  },
});
const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
const messages = Number(values.messages);
if (!Number.isInteger(seed) || !Number.isInteger(messages) || messages <= 0) {
  console.error(
    'usage: npm run fuzz -- [--seed <integer>] [--messages <count>] [--forge-replies] [--huge-mb <MiB>]',
  );
  process.exit(2);
}

console.log(
  `fuzz: seed ${seed}, ${messages} hostile messages${values['forge-replies'] ? ', forged replies' : ''}`,
);
const report = await runFuzz({
  seed,
  messages,
  forgeReplies: values['forge-replies'],
  hugeMaxBytes: Number(values['huge-mb']) * 2 ** 20,
  sources: values.sources,
  progress: (line) => console.log(`  ${line}`),
});
print(report);
process.exit(report.problems.length === 0 ? 0 : 1);

function print(r: FuzzReport): void {
  const rows: Array<[string, string]> = [
    ['seed', String(r.seed)],
    [
      'messages tried',
      `${r.messages} (instance ${r.tried.instance}, service ${r.tried.service}, queue ${r.tried.queue}, announce ${r.tried.announce})`,
    ],
    ['crashes', r.crashed ? `1: ${r.crashed}` : '0'],
    ['good requests lost / changed', `${r.good.lost} / ${r.good.changed} of ${r.good.requests}`],
    ['good jobs lost / run twice', `${r.good.jobsLost} / ${r.good.jobsRepeated} of ${r.good.jobs}`],
    ['good events lost', `${r.good.eventsLost} of ${r.good.events}`],
    [
      'rejected on channels (counted)',
      `${r.rejected.channels} (expected ${r.rejected.channelsExpected.join('..')})`,
    ],
    [
      'rejected from the queue',
      `${r.rejected.queue} moved to mqincomplete (expected ${r.rejected.queueExpected.join('..')})`,
    ],
    [
      'forged replies',
      Object.entries(r.forged)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ') || 'none',
    ],
    ['warnings logged', `${r.logs.lines} (at most ${r.logs.maxPerSecond} in one second)`],
    [
      'peak heap / RSS',
      `${mib(r.memory.peakHeapUsed)} / ${mib(r.memory.peakRss)}; heap after GC ${r.memory.heapGrowth >= 0 ? '+' : ''}${mib(r.memory.heapGrowth)}`,
    ],
    ['longest event-loop stall', `${r.maxEventLoopDelayMs} ms`],
    ['duration', `${(r.durationMs / 1000).toFixed(1)} s`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
  console.log(
    'payload kinds',
    Object.entries(r.kinds)
      .sort()
      .map(([k, n]) => `${k} ${n}`)
      .join(', '),
  );
  if (r.problems.length === 0) return console.log('PASS');
  console.log(
    `FAIL (replay: npm run fuzz -- --seed ${r.seed} --messages ${r.messages}${r.forged && Object.keys(r.forged).length ? ' --forge-replies' : ''})`,
  );
  for (const p of r.problems.slice(0, 20)) console.log(`  - ${p}`);
  if (r.problems.length > 20) console.log(`  ... ${r.problems.length - 20} more`);
  console.log('first lines the service logged:');
  for (const line of r.logs.sample) console.log(`  ${line.slice(0, 240)}`);
}
