// moleculer-web's ApiGateway in a broker of its own: POST /v1/bench/echo -> action echo.echo, over the
// Redis transporter to the service's process.
import { ServiceBroker } from 'moleculer';
import ApiGateway from 'moleculer-web';
import { readyOnListen, stopOnDisconnect } from './process-helpers.mjs';

const { redisUrl } = JSON.parse(process.argv[2]);
const broker = new ServiceBroker({
  nodeID: 'bench-gateway',
  transporter: redisUrl,
  logger: false,
  metrics: false,
  tracing: false,
});
const gateway = broker.createService({
  name: 'api',
  mixins: [ApiGateway],
  settings: {
    port: 0,
    ip: '127.0.0.1',
    logRequest: false,
    logResponse: false,
    routes: [{ path: '/', aliases: { 'POST /v1/bench/echo': 'echo.echo' }, bodyParsers: { json: true } }],
  },
});
await broker.start();
await broker.waitForServices(['echo']);
stopOnDisconnect(() => broker.stop());
readyOnListen({ port: gateway.server.address().port });
