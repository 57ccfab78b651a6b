// `npm run faults`: runs every fault scenario at full size, one after the other, and prints the table.
//   node --conditions=source --import ./test/crash/register-ts.mjs test/faults/run.ts [--small] [--messages] [name ...]
// --small runs the bounded sizes CI uses; --messages prints the failures' messages; names pick
// scenarios (file names of ./scenarios). FAULTS_VERBOSE=1 echoes the services' logs.
// Exits 1 when a request hung, a job was lost, an answer was wrong, or a scenario did not recover.
import type { ScenarioResult, ScenarioSize } from './lib/scenario.js';
import { faultTable } from './lib/table.js';
import { scenarios } from './scenarios/index.js';

const args = process.argv.slice(2);
const size: ScenarioSize = args.includes('--small') ? 'small' : 'full';
const names = args.filter((a) => !a.startsWith('--'));
const chosen = names.length ? scenarios.filter((s) => names.includes(s.name)) : scenarios;
if (chosen.length === 0) {
  console.error(`no scenario named ${names.join(', ')}; known: ${scenarios.map((s) => s.name).join(', ')}`);
  process.exit(2);
}

const results: ScenarioResult[] = [];
const began = Date.now();
for (const scenario of chosen) {
  process.stderr.write(`[faults] ${scenario.name} (${size})...`);
  const t0 = Date.now();
  const result = await scenario.run(size);
  results.push(result);
  process.stderr.write(` ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}
console.log(faultTable(results));
if (args.includes('--messages')) {
  for (const r of results) console.log(`\n${r.name}: ${JSON.stringify(r.failureMessages, null, 2)}`);
}
console.log(`\n${results.length} scenarios (${size}) in ${((Date.now() - began) / 1000).toFixed(0)} s`);
const bad = results.filter(
  (r) => r.hung > 0 || (r.jobsLost ?? 0) > 0 || r.wrong > 0 || r.recoveryMs === undefined,
);
for (const r of bad) console.log(`FAILED ${r.name}: ${JSON.stringify({ ...r, notes: undefined })}`);
process.exit(bad.length > 0 ? 1 : 0);
