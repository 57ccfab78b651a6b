'use strict';
/* global require */
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: hydra-express is CommonJS */
// A real hydra-express 1.9.5 service (on hydra 1.9.3) for the router's interop tests, forked by
// router-interop.test.ts. Configured by the environment: HX_REDIS_URL, HX_PORT, HX_SERVICE.
// Routes (published by hydra-express as [get]/v1/hx/items/:id and [post]/v1/hx/items):
//   GET  /v1/hx/items/:id  -> 200 {result: {service, method, url, id, forwardedFor}}
//   POST /v1/hx/items      -> 201 {result: {service, method, body}}
// Sends {event: 'ready'} over IPC once initialised; shuts hydra down and exits on 'disconnect'.

// These environment variables silently replace the config given to init() (hydra-wire.md section 1).
delete process.env.HYDRA_REDIS_URL;
delete process.env.HYDRA_SERVICE;

const hydraExpress = require('hydra-express');

const service = process.env.HX_SERVICE;

function routes() {
  const express = hydraExpress.getExpress();
  const api = express.Router();
  api.get('/items/:id', (req, res) =>
    hydraExpress.sendResponse(200, res, {
      result: {
        service,
        method: req.method,
        url: req.originalUrl,
        id: req.params.id,
        forwardedFor: req.headers['x-forwarded-for'],
      },
    }),
  );
  api.post('/items', (req, res) =>
    hydraExpress.sendResponse(201, res, { result: { service, method: req.method, body: req.body } }),
  );
  hydraExpress.registerRoutes({ '/v1/hx': api });
}

const config = {
  environment: 'test',
  hydra: {
    serviceName: service,
    serviceIP: '127.0.0.1',
    servicePort: Number(process.env.HX_PORT),
    serviceType: 'express',
    serviceDescription: `hydra-express (${service})`,
    redis: { url: process.env.HX_REDIS_URL },
  },
};

hydraExpress
  .init(config, '1.0.0', routes)
  .then(() => process.send({ event: 'ready' }))
  .catch((error) => {
    process.stderr.write(`hydra-express failed: ${error && error.stack}\n`);
    process.exit(1);
  });

process.on('disconnect', () => {
  const exit = () => process.exit(0);
  setTimeout(exit, 1500).unref();
  hydraExpress.shutdown().then(exit, exit);
});
