// Moleculer client broker on the same Redis transporter: broker.call('echo.echo') and broker.emit().
import moleculer from 'moleculer';

const { ServiceBroker } = moleculer;
let broker;

export async function connect({ redisUrl }) {
  broker = new ServiceBroker({
    nodeID: `bench-client-${process.pid}`,
    transporter: redisUrl,
    logger: false,
    metrics: false,
    tracing: false,
  });
  await broker.start();
  await broker.waitForServices(['echo'], 15_000);
}

export function request(body) {
  return broker.call('echo.echo', body);
}

export function emit(body) {
  return broker.emit('bench.evt', body);
}

export async function close() {
  await broker?.stop();
}
