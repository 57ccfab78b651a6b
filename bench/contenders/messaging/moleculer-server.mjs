// Moleculer with its Redis transporter (ioredis): a broker with service `echo`, action `echo` and an
// event `bench.evt`. Logger, metrics and tracing off.
import moleculer from 'moleculer';

const { ServiceBroker } = moleculer;
let broker;

export async function start({ redisUrl, onEvent }) {
  broker = new ServiceBroker({
    nodeID: `bench-server-${process.pid}`,
    transporter: redisUrl,
    logger: false,
    metrics: false,
    tracing: false,
  });
  broker.createService({
    name: 'echo',
    actions: {
      echo(ctx) {
        return ctx.params;
      },
    },
    events: {
      'bench.evt'() {
        onEvent();
      },
    },
  });
  await broker.start();
  return {};
}

export async function stop() {
  await broker?.stop();
}
