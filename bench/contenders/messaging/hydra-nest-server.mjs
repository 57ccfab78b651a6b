// hydra-nest (this project): a Nest app with HydraModule.forRoot and a controller whose methods are
// @UmfHandler('echo') (returns the body: the transport sends it back as a UMF reply with rmid) and a
// handler for `evt` one-way messages, run as NestFactory.createMicroservice with the HydraTransport
// strategy taken from DI ({ inject: [HydraTransport], useFactory: (t) => ({ strategy: t }) }).
// It loads the built packages (`npm run build` first); until the messaging API exists, loading throws
// and the orchestrator skips this contender, printing why.
//
// Expected from @hydra-nest/nest: HydraModule.forRoot({ serviceName, serviceIP, redis: { url } }),
// HydraTransport (an injectable CustomTransportStrategy), UmfHandler(pattern) (a method decorator whose
// pattern matches the UMF `typ`), and optionally UmfEventHandler(pattern) for messages that get no reply
// (UmfHandler is used for events when it is absent; its return value must then not be sent anywhere).
// With `clusterNodes` in its config (bench/cluster.mjs) it runs on that Redis Cluster instead.
import 'reflect-metadata';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import * as nest from '@hydra-nest/nest';
import { hydraNestRedis, requireExports } from '../../lib/common.mjs';
import { metricsWanted, registerTracing, tracingWanted } from '../../lib/observability.mjs';

requireExports(nest, ['HydraModule', 'HydraTransport', 'UmfHandler'], '@hydra-nest/nest');

export const HN_SERVICE = 'bench-svc';
export const HN_DB = 14;
const { HydraModule, HydraTransport, UmfHandler } = nest;
const UmfEventHandler = nest.UmfEventHandler ?? UmfHandler;
let countEvent = () => undefined;
let app;

class EchoController {
  echo(body) {
    return body;
  }

  evt() {
    countEvent();
  }
}
const proto = EchoController.prototype;
UmfHandler('echo')(proto, 'echo', Object.getOwnPropertyDescriptor(proto, 'echo'));
UmfEventHandler('evt')(proto, 'evt', Object.getOwnPropertyDescriptor(proto, 'evt'));
Controller()(EchoController);

export async function start(cfg) {
  const { onEvent } = cfg;
  countEvent = onEvent;
  if (tracingWanted()) await registerTracing();
  // Metrics on a port of their own: this microservice has no HTTP server.
  const metrics = metricsWanted()
    ? [(await import('@hydra-nest/nest/metrics')).HydraMetricsModule.forRoot({ port: 0, host: '127.0.0.1' })]
    : [];
  class BenchModule {}
  Module({
    imports: [
      HydraModule.forRoot({
        serviceName: HN_SERVICE,
        serviceIP: '127.0.0.1',
        redis: hydraNestRedis(cfg, HN_DB),
      }),
      ...metrics,
    ],
    controllers: [EchoController],
  })(BenchModule);
  // A microservice only (no HTTP adapter), like the Nest Redis-transport baseline, so that idle RSS compares
  // like with like. The transport comes from DI: Nest 11+ accepts { inject, useFactory } here.
  app = await NestFactory.createMicroservice(BenchModule, {
    inject: [HydraTransport],
    useFactory: (transport) => ({ strategy: transport }),
    logger: false,
  });
  await app.listen();
  return {};
}

export async function stop() {
  await app?.close();
}
