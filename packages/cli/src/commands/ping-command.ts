import { performance } from 'node:perf_hooks';
import { HydraTimeoutError, RemoteError, ServiceUnavailableError, type InstanceInfo } from '@hydra-nest/core';
import { CliError, NotFoundError } from '../cli-errors.js';
import { ExitCode } from '../exit-codes.js';
import { millis } from '../format.js';
import { renderTable } from '../table.js';
import type { CommandContext } from './command-context.js';

/** One instance's answer to `ping`. */
export interface PingResult {
  instanceId: string;
  address: string;
  version: string | null;
  /** Whether a reply (any reply, an error reply included) came back in time. */
  answered: boolean;
  /** Round-trip time, ms, when it answered. */
  ms: number | null;
  /** The reply's status: 200, or the error reply's status code (a 404 still proves it is alive). */
  status: number | null;
  /** Why it did not answer. */
  reason?: string;
}

/**
 * `ping <service>`: a UMF message of `typ: ping` to each live instance at once, timing its reply.
 * hydra-nest services always answer (a 404 or 503 error reply when nothing serves it); Hydra 1.x services answer only
 * if their code replies to messages. Exits 5 when an instance did not answer in time.
 */
export async function pingCommand(
  { session, out }: CommandContext,
  service: string,
  timeoutMs: number,
): Promise<void> {
  await session.requireService(service);
  const instances = await session.hydra.discovery.instances(service);
  if (instances.length === 0) throw new NotFoundError(`no live instance of ${service}`);
  const results = await Promise.all(
    instances.map((instance) => pingOne(session.hydra.messaging, service, instance, timeoutMs)),
  );
  const s = out.style;
  out.result(results, () =>
    renderTable(
      [
        { header: 'INSTANCE' },
        { header: 'ADDRESS' },
        { header: 'VERSION' },
        { header: 'TIME', right: true },
        { header: 'STATUS' },
      ],
      results.map((r) => [
        r.instanceId,
        r.address,
        r.version ?? '-',
        r.ms === null ? s.red('-') : millis(r.ms),
        r.answered ? s.green(`answered ${r.status}`) : s.red(r.reason ?? 'no reply'),
      ]),
    ),
  );
  const silent = results.filter((r) => !r.answered).length;
  if (silent > 0) {
    throw new CliError(
      `${silent} of ${results.length} instance${results.length === 1 ? '' : 's'} of ${service} did not answer ` +
        `within ${timeoutMs} ms (a Hydra 1.x service answers only if its code replies to messages)`,
      ExitCode.Timeout,
    );
  }
}

async function pingOne(
  messaging: CommandContext['session']['hydra']['messaging'],
  service: string,
  instance: InstanceInfo,
  timeoutMs: number,
): Promise<PingResult> {
  const result: PingResult = {
    instanceId: instance.instanceID,
    address: `${instance.ip}:${instance.port}`,
    version: instance.version ?? null,
    answered: false,
    ms: null,
    status: null,
  };
  const started = performance.now();
  try {
    await messaging.request(
      { to: `${instance.instanceID}@${service}:/`, typ: 'ping', bdy: {} },
      { timeoutMs, retries: 0 },
    );
    result.status = 200;
  } catch (error) {
    if (error instanceof RemoteError) result.status = error.statusCode;
    else if (error instanceof HydraTimeoutError) result.reason = `no reply within ${timeoutMs} ms`;
    else if (error instanceof ServiceUnavailableError) result.reason = 'not listening';
    else throw error;
  }
  if (result.status !== null) {
    result.answered = true;
    result.ms = Math.round((performance.now() - started) * 100) / 100;
  }
  return result;
}
