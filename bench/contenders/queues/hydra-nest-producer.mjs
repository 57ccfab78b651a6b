// hydra-nest producer: QueueService.queueMessage(umf) from a Nest application context (LPUSH onto the
// target service's Hydra-compatible mqrecieved list).
//
// Expected from @hydra-nest/nest: HydraModule.forRoot({ serviceName, serviceIP, redis: { url } }) and an
// injectable QueueService with queueMessage(umf) -> Promise.
// With `clusterNodes` in its config (bench/cluster.mjs) it runs on that Redis Cluster instead.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import * as nest from '@hydra-nest/nest';
import { hydraNestRedis, requireExports } from '../../lib/common.mjs';
import { HN_DB, QUEUE_SERVICE } from './hydra-nest-worker.mjs';

requireExports(nest, ['HydraModule', 'QueueService'], '@hydra-nest/nest');

const TO = `${QUEUE_SERVICE}:/`;
const FROM = 'hn-q-producer:/';
let app;
let queues;

export async function setup(cfg) {
  class ProducerModule {}
  Module({
    imports: [
      nest.HydraModule.forRoot({
        serviceName: 'hn-q-producer',
        serviceIP: '127.0.0.1',
        redis: hydraNestRedis(cfg, HN_DB),
      }),
    ],
  })(ProducerModule);
  app = await NestFactory.createApplicationContext(ProducerModule, { logger: false });
  await app.init();
  queues = app.get(nest.QueueService);
}

export function enqueue(body) {
  return queues.queueMessage({ to: TO, frm: FROM, typ: 'job', bdy: body });
}

export async function close() {
  await app?.close();
}
