// The Moleculer service behind moleculer-web: action `echo.echo` returns its params (the JSON body).
// Its own broker and process, reached over the Redis transporter, as a gateway reaches services.
import { ServiceBroker } from 'moleculer';
import { readyOnListen, stopOnDisconnect } from './process-helpers.mjs';

const { redisUrl } = JSON.parse(process.argv[2]);
const broker = new ServiceBroker({
  nodeID: 'bench-echo',
  transporter: redisUrl,
  logger: false,
  metrics: false,
  tracing: false,
});
broker.createService({ name: 'echo', actions: { echo: (ctx) => ctx.params } });
await broker.start();
stopOnDisconnect(() => broker.stop());
readyOnListen({});
