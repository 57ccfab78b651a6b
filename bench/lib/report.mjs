// Turns the results object into the stdout table and the SVG chart (hand-written SVG, no library).

const MESSAGING_ORDER = ['raw', 'raw-umf', 'nest-redis', 'moleculer', 'hydra', 'hydra-nest'];
const PEERS = ['raw', 'raw-umf', 'nest-redis', 'moleculer', 'hydra'];

/** Messaging metrics: label, where the value is, and which direction is better. */
const MESSAGING_METRICS = [
  {
    label: 'p50 latency c=1, ~100 B (ms)',
    key: 'rr-100-c1',
    get: (c) => c.scenarios?.['rr-100-c1']?.latencyMs?.p50,
    better: 'lower',
    digits: 3,
  },
  {
    label: 'p99 latency c=1, ~100 B (ms)',
    key: 'rr-100-c1',
    get: (c) => c.scenarios?.['rr-100-c1']?.latencyMs?.p99,
    better: 'lower',
    digits: 3,
  },
  {
    label: 'p50 latency c=1, ~100 B, one core (ms)',
    key: 'rr-100-c1-core',
    get: (c) => c.scenarios?.['rr-100-c1-core']?.latencyMs?.p50,
    better: 'lower',
    digits: 3,
  },
  {
    label: 'req/s c=64, ~100 B',
    key: 'rr-100-c64',
    get: (c) => c.scenarios?.['rr-100-c64']?.rate,
    better: 'higher',
  },
  {
    label: 'req/s c=256, ~100 B',
    key: 'rr-100-c256',
    get: (c) => c.scenarios?.['rr-100-c256']?.rate,
    better: 'higher',
  },
  {
    label: 'p50 latency c=1, 4 KiB (ms)',
    key: 'rr-4k-c1',
    get: (c) => c.scenarios?.['rr-4k-c1']?.latencyMs?.p50,
    better: 'lower',
    digits: 3,
  },
  {
    label: 'p99 latency c=1, 4 KiB (ms)',
    key: 'rr-4k-c1',
    get: (c) => c.scenarios?.['rr-4k-c1']?.latencyMs?.p99,
    better: 'lower',
    digits: 3,
  },
  {
    label: 'p50 latency c=1, 4 KiB, one core (ms)',
    key: 'rr-4k-c1-core',
    get: (c) => c.scenarios?.['rr-4k-c1-core']?.latencyMs?.p50,
    better: 'lower',
    digits: 3,
  },
  {
    label: 'req/s c=64, 4 KiB',
    key: 'rr-4k-c64',
    get: (c) => c.scenarios?.['rr-4k-c64']?.rate,
    better: 'higher',
  },
  {
    label: 'req/s c=256, 4 KiB',
    key: 'rr-4k-c256',
    get: (c) => c.scenarios?.['rr-4k-c256']?.rate,
    better: 'higher',
  },
  {
    label: 'events/s one-way, ~100 B',
    key: 'events-100',
    get: (c) => c.scenarios?.['events-100']?.rate,
    better: 'higher',
  },
  { label: 'idle RSS of the server (MB)', get: (c) => mb(c.idleRss?.rss), better: 'lower', digits: 1 },
];

const QUEUE_METRICS = [
  { label: 'enqueue jobs/s', get: (q) => q.enqueue?.rate, better: 'higher' },
  { label: 'drain jobs/s', get: (q) => q.drain?.rate, better: 'higher' },
  { label: 'enqueue-to-start p50 (ms)', get: (q) => q.latency?.ms?.p50, better: 'lower', digits: 2 },
  { label: 'enqueue-to-start p99 (ms)', get: (q) => q.latency?.ms?.p99, better: 'lower', digits: 2 },
];

const DISTURBED_NOTE =
  '* measured while other processes took more than 10% of the CPU, even after measuring again ' +
  '(foreignCpu in the JSON): treat with care';

function mb(bytes) {
  return bytes === undefined ? undefined : bytes / 1048576;
}

function num(value, digits = 0) {
  if (value === undefined || value === null || !Number.isFinite(value)) return '-';
  return digits === 0 ? Math.round(value).toLocaleString('en-US') : value.toFixed(digits);
}

function ratio(a, b) {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return undefined;
  return a / b;
}

function ratioText(r) {
  return r === undefined ? '-' : `${r.toFixed(2)}x`;
}

/** Fixed-width text table. */
function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => String(row[i]).length)));
  const line = (cells) =>
    cells
      .map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i])))
      .join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function okEntries(section, order) {
  if (!section) return [];
  return order.filter((name) => section[name]?.status === 'ok').map((name) => [name, section[name]]);
}

/** Prints the whole report with `log`. */
export function printReport(results, log) {
  const m = results.machine;
  log('\n================================================================================================');
  log(`hydra-nest benchmark, ${m.date}`);
  log(`${m.cores} x ${m.cpuModel}, ${m.memoryGB} GB, ${m.platform}; node ${m.node}; redis ${m.redis}`);
  if (m.cpuBusyBefore > 0.15) {
    log(
      `The CPUs were ${Math.round(m.cpuBusyBefore * 100)}% busy before the run: not a quiet machine; expect noise.`,
    );
  }
  log(
    `Redis, servers and clients share these ${m.cores} cores.${results.plan.quick ? ' QUICK RUN: short windows.' : ''}`,
  );
  if (results.messaging) printMessaging(results.messaging, log);
  if (results.queues) printQueues(results.queues, log);
  printTargets(results, log);
  printNotRun(results, log);
}

function printMessaging(section, log) {
  const entries = okEntries(section, MESSAGING_ORDER);
  if (entries.length === 0) return;
  const raw = section.raw?.status === 'ok' ? section.raw : undefined;
  log('\nMessaging: value (ratio to the raw ioredis floor)');
  const rows = MESSAGING_METRICS.map((metric) => [
    `${metric.label} ${metric.better === 'higher' ? '^' : 'v'}`,
    ...entries.map(([, c]) => {
      const value = metric.get(c);
      const r = raw ? ratio(value, metric.get(raw)) : undefined;
      const mark = metric.key && c.scenarios?.[metric.key]?.disturbed ? '*' : '';
      return `${num(value, metric.digits)}${mark} (${ratioText(r)})`;
    }),
  ]);
  log(table(['metric (^ higher / v lower is better)', ...entries.map(([name]) => name)], rows));
  if (entries.some(([, c]) => Object.values(c.scenarios ?? {}).some((x) => x.disturbed))) {
    log(DISTURBED_NOTE);
  }

  const hn = section['hydra-nest']?.status === 'ok' ? section['hydra-nest'] : undefined;
  const peers = PEERS.filter((p) => section[p]?.status === 'ok');
  if (hn && peers.length > 0) {
    log('\nhydra-nest / peer (throughput: >1 is better; latency and RSS: <1 is better)');
    const peerRows = MESSAGING_METRICS.map((metric) => [
      metric.label,
      ...peers.map((p) => ratioText(ratio(metric.get(hn), metric.get(section[p])))),
    ]);
    log(table(['metric', ...peers.map((p) => `vs ${p}`)], peerRows));
  }
}

function printQueues(section, log) {
  const order = Object.keys(section);
  const entries = okEntries(section, order);
  if (entries.length === 0) return;
  log('\nQueues: one worker process drains the queue; latency = job start - enqueue time (in the payload)');
  const rows = QUEUE_METRICS.map((metric) => [
    `${metric.label} ${metric.better === 'higher' ? '^' : 'v'}`,
    ...entries.map(([, q]) => `${num(metric.get(q), metric.digits)}${q.disturbed ? '*' : ''}`),
  ]);
  log(table(['metric', ...entries.map(([name]) => name)], rows));
  if (entries.some(([, q]) => q.disturbed)) log(DISTURBED_NOTE);

  const pairs = [];
  for (const c of ['c1', 'c50']) {
    const hn = section[`hydra-nest-${c}`];
    if (hn?.status !== 'ok') continue;
    for (const peer of [`bullmq-${c}`, `hydra-${c}`]) {
      if (section[peer]?.status === 'ok') pairs.push([`hydra-nest-${c} / ${peer}`, hn, section[peer]]);
    }
  }
  if (pairs.length > 0) {
    log('\nhydra-nest / peer at the same concurrency');
    const ratioRows = QUEUE_METRICS.map((metric) => [
      metric.label,
      ...pairs.map(([, a, b]) => ratioText(ratio(metric.get(a), metric.get(b)))),
    ]);
    log(table(['metric', ...pairs.map(([label]) => label)], ratioRows));
  }
}

/** `rr-100-c64` -> `~100 B c=64`; `rr-4k-c1-core` -> `4 KiB c=1, one core`. */
function label(key) {
  const [, size, c, core] = key.split('-');
  return `${size === '100' ? '~100 B' : '4 KiB'} c=${c.slice(1)}${core ? ', one core' : ''}`;
}

/** The targets of issues #3 and #4, checked where both sides were measured. */
export function evaluateTargets(results) {
  const checks = [];
  const msg = results.messaging ?? {};
  const ok = (name) => (msg[name]?.status === 'ok' ? msg[name] : undefined);
  const hn = ok('hydra-nest');
  const raw = ok('raw');
  const check = (what, actual, limit, pass) =>
    checks.push({
      what,
      actual,
      limit,
      pass: Number.isFinite(actual) && Number.isFinite(limit) ? pass : undefined,
    });
  if (hn && raw) {
    for (const key of ['rr-100-c64', 'rr-100-c256', 'rr-4k-c64', 'rr-4k-c256']) {
      const r = ratio(hn.scenarios[key]?.rate, raw.scenarios[key]?.rate);
      check(`#3 req/s ${label(key)} >= 0.85 x raw floor`, r, 0.85, r >= 0.85);
    }
    for (const key of ['rr-100-c1', 'rr-4k-c1', 'rr-100-c1-core', 'rr-4k-c1-core']) {
      if (!hn.scenarios[key]) continue; // the one-core rounds need taskset
      const r = ratio(hn.scenarios[key]?.latencyMs?.p50, raw.scenarios[key]?.latencyMs?.p50);
      check(`#3 p50 latency ${label(key)} <= 1.25 x raw floor`, r, 1.25, r <= 1.25);
    }
  }
  const nestRedis = ok('nest-redis');
  if (hn && nestRedis) {
    const extra = mb(hn.idleRss?.rss) - mb(nestRedis.idleRss?.rss);
    check('#3 idle RSS <= bare Nest Redis service + 10 MB (MB above)', extra, 10, extra <= 10);
  }
  const moleculer = ok('moleculer');
  if (hn && moleculer) {
    for (const key of ['rr-100-c64', 'rr-100-c256', 'rr-4k-c64', 'rr-4k-c256']) {
      const r = ratio(hn.scenarios[key]?.rate, moleculer.scenarios[key]?.rate);
      check(`#3 req/s ${label(key)} ahead of moleculer`, r, 1, r > 1);
    }
  }
  const q = results.queues ?? {};
  const qok = (name) => (q[name]?.status === 'ok' ? q[name] : undefined);
  const drain = (name) => qok(name)?.drain?.rate;
  if (qok('hydra-nest-c50') && qok('bullmq-c50')) {
    const r = ratio(drain('hydra-nest-c50'), drain('bullmq-c50'));
    check('#4 drain c=50 >= 2 x BullMQ c=50', r, 2, r >= 2);
  }
  if (qok('hydra-nest-c50') && qok('hydra-c50')) {
    const r = ratio(drain('hydra-nest-c50'), drain('hydra-c50'));
    check("#4 drain c=50 >= 0.6 x Hydra 1.x's lease-free c=50", r, 0.6, r >= 0.6);
  }
  if (qok('hydra-nest-c1') && qok('bullmq-c1')) {
    const r = ratio(drain('hydra-nest-c1'), drain('bullmq-c1'));
    check('#4 drain c=1 >= BullMQ c=1', r, 1, r >= 1);
  }
  return checks;
}

function printTargets(results, log) {
  const checks = results.targets ?? evaluateTargets(results);
  if (checks.length === 0) {
    log('\nTargets (#3, #4): not evaluated (hydra-nest or the peers they compare with were not measured)');
    return;
  }
  log('\nTargets (#3, #4)');
  log(
    table(
      ['target', 'measured (ratio; MB for RSS)', 'limit', 'result'],
      checks.map((c) => [
        c.what,
        num(c.actual, 2),
        num(c.limit, 2),
        c.pass === undefined ? '-' : c.pass ? 'MET' : 'MISSED',
      ]),
    ),
  );
}

function printNotRun(results, log) {
  const lines = [];
  for (const section of [results.messaging, results.queues]) {
    for (const [name, entry] of Object.entries(section ?? {})) {
      if (entry.status !== 'ok')
        lines.push(`  ${name}: ${entry.status} - ${String(entry.reason).split('\n')[0]}`);
    }
  }
  if (lines.length > 0) {
    log('\nNot measured:');
    for (const line of lines) log(line);
  }
}

/* ------------------------------------------------------------------ SVG ------------------------------- */

const COLORS = {
  raw: '#8c8c8c',
  'nest-redis': '#e0234e',
  moleculer: '#3cafce',
  hydra: '#f0a030',
  'hydra-nest': '#2b5fb4',
  'bullmq-c1': '#f2a1a1',
  'bullmq-c50': '#c0392b',
  'hydra-c1': '#f7cf8f',
  'hydra-c50': '#e08a00',
  'hydra-nest-c1': '#9dbbea',
  'hydra-nest-c50': '#2b5fb4',
};

function esc(text) {
  return String(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function niceMax(value) {
  if (!(value > 0)) return 1;
  const exp = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (step * exp >= value) return step * exp;
  return 10 * exp;
}

function shortNum(value, digits) {
  if (!Number.isFinite(value)) return '';
  if (digits !== undefined && digits > 0 && value < 100) return value.toFixed(value < 10 ? digits : 1);
  if (value >= 10_000) return `${(value / 1000).toFixed(value >= 100_000 ? 0 : 1)}k`;
  return Math.round(value).toLocaleString('en-US');
}

/** One grouped bar chart panel. */
function barPanel({ x, y, width, height, title, groups, series, values, digits }) {
  const parts = [];
  const top = y + 44;
  const bottom = y + height - 34;
  const left = x + 58;
  const right = x + width - 10;
  const max = niceMax(Math.max(0, ...values.flat().filter(Number.isFinite)));
  parts.push(`<text x="${x}" y="${y + 16}" class="title">${esc(title)}</text>`);
  // legend
  let lx = x;
  for (const s of series) {
    parts.push(`<rect x="${lx}" y="${y + 25}" width="10" height="10" fill="${COLORS[s] ?? '#666'}"/>`);
    parts.push(`<text x="${lx + 14}" y="${y + 34}" class="legend">${esc(s)}</text>`);
    lx += 22 + s.length * 6.5;
  }
  // grid and axis
  for (let i = 0; i <= 4; i++) {
    const gy = bottom - ((bottom - top) * i) / 4;
    parts.push(`<line x1="${left}" y1="${gy}" x2="${right}" y2="${gy}" class="grid"/>`);
    parts.push(
      `<text x="${left - 6}" y="${gy + 4}" class="axis" text-anchor="end">${esc(shortNum((max * i) / 4, digits))}</text>`,
    );
  }
  const groupWidth = (right - left) / Math.max(1, groups.length);
  const barWidth = Math.min(34, (groupWidth * 0.8) / Math.max(1, series.length));
  groups.forEach((group, g) => {
    const gx = left + g * groupWidth + (groupWidth - barWidth * series.length) / 2;
    series.forEach((s, i) => {
      const value = values[g][i];
      const bx = gx + i * barWidth;
      if (!Number.isFinite(value)) {
        parts.push(
          `<text x="${bx + barWidth / 2}" y="${bottom - 4}" class="value" text-anchor="middle">n/a</text>`,
        );
        return;
      }
      const h = ((bottom - top) * value) / max;
      parts.push(
        `<rect x="${bx + 1}" y="${bottom - h}" width="${barWidth - 2}" height="${h}" fill="${COLORS[s] ?? '#666'}"><title>${esc(`${s}: ${group}: ${shortNum(value, digits)}`)}</title></rect>`,
      );
      parts.push(
        `<text x="${bx + barWidth / 2}" y="${bottom - h - 3}" class="value" text-anchor="middle">${esc(shortNum(value, digits))}</text>`,
      );
    });
    parts.push(
      `<text x="${left + g * groupWidth + groupWidth / 2}" y="${bottom + 16}" class="group" text-anchor="middle">${esc(group)}</text>`,
    );
  });
  parts.push(`<line x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}" class="axisline"/>`);
  return parts.join('\n');
}

/** The SVG chart of a results object. */
export function renderSvg(results) {
  const width = 1000;
  const panelHeight = 250;
  const panels = [];
  const msg = results.messaging;
  const mEntries = okEntries(msg, MESSAGING_ORDER);
  if (mEntries.length > 0) {
    const names = mEntries.map(([n]) => n);
    const s = (c, key) => c.scenarios?.[key];
    panels.push({
      title: 'Request-reply throughput (req/s) and one-way events/s - higher is better',
      groups: ['~100 B c=64', '~100 B c=256', '4 KiB c=64', '4 KiB c=256', 'events ~100 B'],
      series: names,
      values: ['rr-100-c64', 'rr-100-c256', 'rr-4k-c64', 'rr-4k-c256', 'events-100'].map((key) =>
        mEntries.map(([, c]) => s(c, key)?.rate),
      ),
    });
    panels.push({
      title: 'Request-reply latency at concurrency 1 (ms) - lower is better',
      groups: [
        '~100 B p50',
        '~100 B p99',
        '~100 B p50 one core',
        '4 KiB p50',
        '4 KiB p99',
        '4 KiB p50 one core',
      ],
      series: names,
      digits: 2,
      values: [
        ['rr-100-c1', 'p50'],
        ['rr-100-c1', 'p99'],
        ['rr-100-c1-core', 'p50'],
        ['rr-4k-c1', 'p50'],
        ['rr-4k-c1', 'p99'],
        ['rr-4k-c1-core', 'p50'],
      ].map(([key, p]) => mEntries.map(([, c]) => s(c, key)?.latencyMs?.[p])),
    });
    panels.push({
      title: 'Idle RSS of the server process (MB) - lower is better',
      groups: ['idle RSS', 'RSS after the load'],
      series: names,
      digits: 1,
      values: [mEntries.map(([, c]) => mb(c.idleRss?.rss)), mEntries.map(([, c]) => mb(c.rssAfterLoad?.rss))],
    });
  }
  const qEntries = okEntries(results.queues, Object.keys(results.queues ?? {}));
  if (qEntries.length > 0) {
    const names = qEntries.map(([n]) => n);
    panels.push({
      title: `Queues: jobs/s, ${results.plan.queueN.toLocaleString('en-US')} x ~100 B, one worker process - higher is better`,
      groups: ['enqueue', 'drain'],
      series: names,
      values: [qEntries.map(([, q]) => q.enqueue?.rate), qEntries.map(([, q]) => q.drain?.rate)],
    });
    panels.push({
      title: `Queues: enqueue-to-start latency at ${results.plan.steadyRate}/s (ms) - lower is better`,
      groups: ['p50', 'p99'],
      series: names,
      digits: 2,
      values: [qEntries.map(([, q]) => q.latency?.ms?.p50), qEntries.map(([, q]) => q.latency?.ms?.p99)],
    });
  }
  const m = results.machine;
  const headerHeight = 56;
  const height = headerHeight + panels.length * (panelHeight + 20) + 10;
  const body = panels
    .map((panel, i) =>
      barPanel({
        x: 20,
        y: headerHeight + i * (panelHeight + 20),
        width: width - 40,
        height: panelHeight,
        ...panel,
      }),
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">
<style>
  .title { font-size: 14px; font-weight: bold; fill: #222; }
  .legend { font-size: 11px; fill: #333; }
  .axis { font-size: 10px; fill: #666; }
  .group { font-size: 11px; fill: #333; }
  .value { font-size: 8px; fill: #333; }
  .grid { stroke: #e4e4e4; stroke-width: 1; }
  .axisline { stroke: #999; stroke-width: 1; }
  .h1 { font-size: 16px; font-weight: bold; fill: #111; }
  .h2 { font-size: 11px; fill: #555; }
</style>
<rect width="100%" height="100%" fill="#fff"/>
<text x="20" y="24" class="h1">hydra-nest benchmark${results.plan.quick ? ' (quick run)' : ''}</text>
<text x="20" y="42" class="h2">${esc(`${m.date} - ${m.cores} x ${m.cpuModel}, node ${m.node}, redis ${m.redis}; Redis, servers and clients share the cores`)}</text>
${body}
</svg>
`;
}
