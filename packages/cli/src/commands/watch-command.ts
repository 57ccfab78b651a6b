import { bytes, duration, shortId } from '../format.js';
import type { Output } from '../output.js';
import { renderTable } from '../table.js';
import type { CommandContext } from './command-context.js';
import { collectOverview, type Overview } from './overview.js';
import { statusText } from './registry-commands.js';

/** Options of `watch`. */
export interface WatchOptions {
  intervalMs: number;
  /** Frames to show before exiting; undefined: until Ctrl-C. */
  count?: number;
  /** Whether stdout is a terminal (the view is redrawn in place there). */
  tty: boolean;
}

const CLEAR_SCREEN = '\u001b[H\u001b[2J';

/**
 * `watch`: a live view of services, instances, health and queues, read again every interval. On a
 * terminal the screen is redrawn in place; elsewhere each frame follows the last (`--json`: one JSON
 * object a line). A read that fails (Redis away) shows the error and the view carries on.
 */
export async function watchCommand(ctx: CommandContext, options: WatchOptions): Promise<void> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let lastError: unknown;
  try {
    for (let frame = 1; !stop.signal.aborted; frame++) {
      try {
        const overview = await collectOverview(ctx.session);
        lastError = undefined;
        show(
          ctx,
          renderOverview(ctx.out, overview, ctx.session.where, options.intervalMs),
          overview,
          options.tty,
        );
      } catch (error) {
        lastError = error;
        const message = `${new Date().toISOString()} cannot read the registry: ${(error as Error).message}`;
        show(
          ctx,
          ctx.out.style.red(message),
          { at: new Date().toISOString(), error: (error as Error).message },
          options.tty,
        );
      }
      if (options.count !== undefined && frame >= options.count) break;
      await pause(options.intervalMs, stop.signal);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (lastError !== undefined) throw lastError;
}

function show({ out }: CommandContext, text: string, value: unknown, tty: boolean): void {
  if (out.json) out.write(JSON.stringify(value));
  else out.write(tty ? CLEAR_SCREEN + text : `${text}\n`);
}

/** The human text of one frame. */
export function renderOverview(out: Output, overview: Overview, where: string, intervalMs: number): string {
  const s = out.style;
  const header =
    s.bold(`hydra-nest watch`) +
    s.dim(` · ${where} · ${overview.at} · every ${intervalMs / 1000}s, Ctrl-C to quit`);
  const services = renderTable(
    [
      { header: 'SERVICE' },
      { header: 'INSTANCES', right: true },
      { header: 'WAITING', right: true },
      { header: 'IN PROGRESS', right: true },
      { header: 'DEAD', right: true },
      { header: 'DELAYED', right: true },
    ],
    overview.services.map((svc) => [
      s.bold(svc.serviceName),
      svc.instances.length ? s.green(String(svc.instances.length)) : s.red('0'),
      String(svc.queue.received),
      String(svc.queue.inProgress),
      svc.queue.incomplete ? s.red(String(svc.queue.incomplete)) : '0',
      String(svc.queue.delayed),
    ]),
    'no services registered',
  );
  const instances = renderTable(
    [
      { header: 'SERVICE' },
      { header: 'INSTANCE' },
      { header: 'VERSION' },
      { header: 'ADDRESS' },
      { header: 'STATUS' },
      { header: 'UPTIME', right: true },
      { header: 'RSS', right: true },
      { header: 'SEEN', right: true },
    ],
    overview.services.flatMap((svc) =>
      svc.instances.map((i) => [
        svc.serviceName,
        shortId(i.instanceId),
        i.version ?? '-',
        i.address,
        i.status ? statusText(s, i.status) : s.dim('no health'),
        i.uptimeSeconds === null ? '-' : duration(i.uptimeSeconds),
        bytes(i.rssBytes ?? undefined),
        `${i.seenSecondsAgo}s ago`,
      ]),
    ),
    'no live instances',
  );
  return `${header}\n\n${services}\n\n${instances}`;
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
