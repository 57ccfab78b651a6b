import { seconds, type ScenarioResult } from './scenario.js';

/** Why calls failed, told from their errors' messages, in a few words each. */
const REASONS: Array<[RegExp, string]> = [
  [/aborted: the Redis connection was lost/, 'in flight when the connection dropped'],
  [/could not send .* connection is (reconnecting|connecting|close|end)/, 'sent while reconnecting'],
  [/not sent within .* subscriber connection/, 'held past their deadline'],
  [/went away before it answered/, 'their instance went away'],
  [/Unavailable .* instance/, 'no instance listening'],
  [/^no reply from .* within/, 'deadline passed'],
  [/was not queued: Redis did not answer/, 'Redis away'],
];

/** The fault table (Markdown), one row per scenario. */
export function faultTable(results: ScenarioResult[]): string {
  const header = [
    'Scenario',
    'Completed',
    'Failed (clear error)',
    'Hung',
    'Jobs lost',
    'Recovery',
    'Fault, load and notes',
  ];
  const rows = results.map((r) => [
    r.title,
    `${r.completed} / ${r.sent} ${r.unit}`,
    failedCell(r),
    String(r.hung),
    r.jobsLost === undefined ? '-' : `${r.jobsLost}${r.duplicates ? ` (${r.duplicates} run twice)` : ''}`,
    r.recoveryMs === undefined ? 'did not recover' : `${seconds(r.recoveryMs)} after ${r.recoveredFrom}`,
    [r.setup, ...r.notes].join('; '),
  ]);
  return [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/** `12 HydraTimeoutError (deadline passed)`, several errors and reasons separated by commas. */
function failedCell(r: ScenarioResult): string {
  const wrong = r.wrong ? `; ${r.wrong} wrong answers` : '';
  const entries = Object.entries(r.failed);
  if (entries.length === 0) return `0${wrong}`;
  const cells = entries.map(([label, n]) => {
    const reasons = new Map<string, number>();
    for (const [message, count] of Object.entries(r.failureMessages[label] ?? {})) {
      const reason = REASONS.find(([pattern]) => pattern.test(message))?.[1] ?? 'other';
      reasons.set(reason, (reasons.get(reason) ?? 0) + count);
    }
    const told =
      reasons.size === 1
        ? [...reasons.keys()][0]
        : [...reasons].map(([reason, count]) => `${count} ${reason}`).join(', ');
    return `${n} ${label} (${told})`;
  });
  return cells.join(', ') + wrong;
}
