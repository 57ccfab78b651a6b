// NestJS's Redis transport client: ClientProxyFactory.create({ transport: Transport.REDIS }), with
// send() for request-reply and emit() for events, awaited as promises.
import 'reflect-metadata';
import { ClientProxyFactory, Transport } from '@nestjs/microservices';
import { firstValueFrom, lastValueFrom } from 'rxjs';

let client;

export async function connect({ redisUrl }) {
  const { hostname, port } = new URL(redisUrl);
  client = ClientProxyFactory.create({
    transport: Transport.REDIS,
    options: { host: hostname, port: Number(port) },
  });
  await client.connect();
}

export function request(body) {
  return firstValueFrom(client.send('echo', body));
}

export function emit(body) {
  return lastValueFrom(client.emit('evt', body), { defaultValue: undefined });
}

export async function close() {
  await client?.close();
}
