// hydra-nest (this project): a Nest application context whose provider has a @QueueWorker({ concurrency })
// method; the explorer starts it at bootstrap and it consumes the service's Hydra-compatible queue
// (blocking moves, leases for crash recovery). Skipped by the orchestrator until the queue API exists.
//
// Expected from @hydra-nest/nest: HydraModule.forRoot({ serviceName, serviceIP, redis: { url } }) and
// QueueWorker(options) (a method decorator; options.concurrency = parallel jobs); the method receives the
// message body (`bdy`) as its first argument (as @Payload() gives it) or the whole UMF message. Returning
// marks the message completed. The worker starts when the context is initialised and stops on close().
// With `clusterNodes` in its config (bench/cluster.mjs) it runs on that Redis Cluster instead.
import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import * as nest from '@hydra-nest/nest';
import { hydraNestRedis, requireExports } from '../../lib/common.mjs';

requireExports(nest, ['HydraModule', 'QueueWorker'], '@hydra-nest/nest');

export const QUEUE_SERVICE = 'hn-q-svc';
export const HN_DB = 14;
let cfg;
let app;

/** The job body from whatever the handler was given: the body itself, or a UMF message carrying it. */
function bodyOf(args) {
  for (const arg of args) {
    if (arg && typeof arg === 'object') {
      if ('seq' in arg && 't' in arg) return arg;
      const inner = arg.bdy ?? arg.body ?? arg.message?.bdy ?? arg.message?.body;
      if (inner && typeof inner === 'object') return inner;
    }
  }
  return undefined;
}

export async function setup(options) {
  cfg = options;
  return { concurrency: options.concurrency };
}

/** Bootstraps the context; its @QueueWorker starts consuming at once. */
export async function start() {
  const onJob = cfg.onJob;
  class BenchWorker {
    process(...args) {
      onJob(bodyOf(args));
    }
  }
  const proto = BenchWorker.prototype;
  nest.QueueWorker({ concurrency: cfg.concurrency })(
    proto,
    'process',
    Object.getOwnPropertyDescriptor(proto, 'process'),
  );
  Injectable()(BenchWorker);
  class WorkerModule {}
  Module({
    imports: [
      nest.HydraModule.forRoot({
        serviceName: QUEUE_SERVICE,
        serviceIP: '127.0.0.1',
        redis: hydraNestRedis(cfg, HN_DB),
      }),
    ],
    providers: [BenchWorker],
  })(WorkerModule);
  app = await NestFactory.createApplicationContext(WorkerModule, { logger: false });
  await app.init();
}

export async function stop() {
  await app?.close();
}
