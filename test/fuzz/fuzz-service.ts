// The service under attack in the fuzz runs (./runner.ts), in a process of its own so that a crash is
// seen as one and its memory is measured alone. Forked with IPC as
//   fuzz-service.ts <redisUrl> <serviceName> <queueMaxBytes>
// it serves, as users do, a Nest app with HydraModule + HydraTransport:
//   [post]/v1/fuzz/sum (ValidationPipe DTO) -> { sum: a + b, id }
//   typ fuzz.echo                           -> the body as received
//   typ fuzz.event (event)                  -> counts good events, throws on bdy.fail
//   queue typ fuzz.job                      -> HINCRBY <service>:fuzz:done <mid> 1
//   queue typ fuzz.dto (ValidationPipe DTO), fuzz.sink (anything) -> complete
// It sends { ready, instanceId } once serving, and answers { cmd: 'report' } with a ServiceReport.
import 'reflect-metadata';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Controller, Injectable, Module, UsePipes, ValidationPipe, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Payload } from '@nestjs/microservices';
import type { Hydra } from '@hydra-nest/core';
import {
  HydraModule,
  HydraTransport,
  InjectHydra,
  Job,
  MessagingService,
  QueueJob,
  QueueWorker,
  UmfEventHandler,
  UmfHandler,
} from '@hydra-nest/nest';
import { IsNumber, IsString } from 'class-validator';

const [url, serviceName, queueMaxBytes] = process.argv.slice(2) as [string, string, string];

/** What the service tells the runner at the end. */
export interface ServiceReport {
  messaging: Record<string, number>;
  goodEvents: number[];
  /** Warnings and errors logged, per second of the run (index: seconds since start). */
  logLinesPerSecond: number[];
  /** The first few lines logged, for the report. */
  logSample: string[];
  peakRss: number;
  peakHeapUsed: number;
  /** heapUsed after a full GC, once serving and now. */
  heapAfterGcAtStart: number;
  heapAfterGcNow: number;
  /** Properties found on Object.prototype / Array.prototype that should not be there. */
  pollution: string[];
  /** Longest the event loop was blocked, ms. */
  maxEventLoopDelayMs: number;
}

const started = Date.now();
const logLinesPerSecond: number[] = [];
const logSample: string[] = [];
function counted(level: string) {
  return (message: unknown) => {
    const second = Math.floor((Date.now() - started) / 1000);
    logLinesPerSecond[second] = (logLinesPerSecond[second] ?? 0) + 1;
    const text = String(message);
    if (logSample.length < 20 || (/redis|connect|subscri/i.test(text) && logSample.length < 60)) {
      logSample.push(`${level} ${text.slice(0, 300)}`);
    }
  };
}
const quiet = () => undefined;
const logger: LoggerService & { debug: () => void } = {
  log: quiet,
  debug: quiet,
  verbose: quiet,
  warn: counted('warn'),
  error: counted('error'),
  fatal: counted('fatal'),
};

class SumDto {
  @IsNumber()
  a!: number;

  @IsNumber()
  b!: number;

  @IsString()
  id!: string;
}

const goodEvents: number[] = [];

@Controller()
class FuzzController {
  @UmfHandler('[post]/v1/fuzz/sum')
  @UsePipes(new ValidationPipe({ transform: true }))
  sum(@Payload() dto: SumDto) {
    return { sum: dto.a + dto.b, id: dto.id };
  }

  @UmfHandler('fuzz.echo')
  echo(@Payload() body: unknown) {
    return body;
  }

  @UmfEventHandler('fuzz.event')
  event(@Payload() body: { good?: number; fail?: string }) {
    if (body.fail) throw new Error(`event failed on purpose: ${body.fail}`);
    if (typeof body.good === 'number') goodEvents.push(body.good);
  }
}

@Injectable()
class FuzzWorker {
  constructor(@InjectHydra() private readonly hydra: Hydra) {}

  @QueueWorker({ typ: 'fuzz.job', concurrency: 4 })
  async job(@Job() job: QueueJob) {
    await this.hydra.redis.hincrby(`${serviceName}:fuzz:done`, job.mid, 1);
  }

  @QueueWorker({ typ: 'fuzz.dto', maxAttempts: 1 })
  @UsePipes(new ValidationPipe({ transform: true }))
  dto(@Payload() _dto: SumDto) {
    return undefined;
  }

  @QueueWorker({ typ: 'fuzz.sink', concurrency: 2, maxAttempts: 1 })
  sink() {
    return undefined;
  }
}

@Module({
  imports: [
    HydraModule.forRoot({
      serviceName,
      serviceIP: '127.0.0.1',
      servicePort: 1,
      logger,
      redis: { url },
      queue: { maxMessageBytes: Number(queueMaxBytes) },
    }),
  ],
  controllers: [FuzzController],
  providers: [FuzzWorker],
})
class FuzzModule {}

let peakRss = 0;
let peakHeapUsed = 0;
function sample() {
  const { rss, heapUsed } = process.memoryUsage();
  if (rss > peakRss) peakRss = rss;
  if (heapUsed > peakHeapUsed) peakHeapUsed = heapUsed;
}
setInterval(sample, 50).unref();
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

function heapAfterGc(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

function pollution(): string[] {
  const found: string[] = [];
  const probe = {} as Record<string, unknown>;
  for (const key of ['polluted', 'to', 'frm', 'bdy', 'prototype']) {
    if (probe[key] !== undefined) found.push(`({}).${key}`);
  }
  for (const [name, proto] of [
    ['Object', Object.prototype],
    ['Array', Array.prototype],
  ] as const) {
    for (const key of Object.keys(proto)) found.push(`${name}.prototype.${key}`);
  }
  return found;
}

const app = await NestFactory.create(FuzzModule, { logger });
app.connectMicroservice({ strategy: app.get(HydraTransport) });
await app.startAllMicroservices();
await app.init();
const hydra = app.get(HydraTransport).unwrap<Hydra>();
const heapAfterGcAtStart = heapAfterGc();
const messaging = app.get(MessagingService);

process.on('message', (command: { cmd: string }) => {
  if (command.cmd === 'report') {
    sample();
    const report: ServiceReport = {
      messaging: { ...messaging.stats },
      goodEvents,
      logLinesPerSecond: Array.from(logLinesPerSecond, (n) => n ?? 0),
      logSample,
      peakRss,
      peakHeapUsed,
      heapAfterGcAtStart,
      heapAfterGcNow: heapAfterGc(),
      pollution: pollution(),
      maxEventLoopDelayMs: loopDelay.max / 1e6,
    };
    process.send!({ report });
  } else if (command.cmd === 'stop') {
    void app.close().then(() => process.exit(0));
  }
});
process.send!({ ready: true, instanceId: hydra.instanceId });
