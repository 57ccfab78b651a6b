// The service behind every router of bench/router.mjs: a plain node:http server answering
// POST /v1/bench/echo with the JSON body it got, registered in Hydra's registry (core `Hydra`, as a
// Hydra 1.x service would be) with the route `[post]/v1/bench/echo`, so hydra-router and hydra-nest's
// router find it. The `direct` contender calls it without any router.
import http from 'node:http';
import { Hydra, silentLogger } from '@hydra-nest/core';
import { readyOnListen, stopOnDisconnect } from './process-helpers.mjs';

const { redisUrl, serviceName } = JSON.parse(process.argv[2]);

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = chunks.length > 0 ? Buffer.concat(chunks) : Buffer.from('{}');
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
});
server.keepAliveTimeout = 60_000;
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address();

const hydra = new Hydra({
  serviceName,
  serviceIP: '127.0.0.1',
  servicePort: port,
  logger: silentLogger,
  redis: { url: redisUrl },
  routes: ['[post]/v1/bench/echo'],
});
await hydra.start();
stopOnDisconnect(async () => {
  await hydra.stop();
  server.close();
});
readyOnListen({ port });
