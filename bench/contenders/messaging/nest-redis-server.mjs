// NestJS's built-in Redis transport: a microservice with a @MessagePattern('echo') handler and an
// @EventPattern('evt') handler. Plain JavaScript, so the decorators are applied by hand. This process is
// also the idle-RSS baseline: a bare Nest Redis-transport service.
import 'reflect-metadata';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, MessagePattern, Transport } from '@nestjs/microservices';

let countEvent = () => undefined;
let app;

class EchoController {
  echo(data) {
    return data;
  }

  evt() {
    countEvent();
  }
}
const proto = EchoController.prototype;
MessagePattern('echo')(proto, 'echo', Object.getOwnPropertyDescriptor(proto, 'echo'));
EventPattern('evt')(proto, 'evt', Object.getOwnPropertyDescriptor(proto, 'evt'));
Controller()(EchoController);

class EchoModule {}
Module({ controllers: [EchoController] })(EchoModule);

export async function start({ redisUrl, onEvent }) {
  countEvent = onEvent;
  const { hostname, port } = new URL(redisUrl);
  app = await NestFactory.createMicroservice(EchoModule, {
    transport: Transport.REDIS,
    options: { host: hostname, port: Number(port) },
    logger: false,
  });
  await app.listen();
  return {};
}

export async function stop() {
  await app?.close();
}
