// The sample services `npm run demo` runs, and what it shows of each.
import http from 'node:http';
import { WorkQueue } from '@hydra-nest/core';

function getJson(port, urlPath) {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: urlPath }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode, body }));
      })
      .on('error', reject);
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A demo step that GETs `urlPath` on the sample and prints the answer (with what happened between). */
function showGet(urlPath, between) {
  return async ({ port, log }) => {
    const { status, body } = await getJson(port, urlPath);
    log(`\nGET http://127.0.0.1:${port}${urlPath} -> ${between ? `${between} -> ` : ''}${status} ${body}`);
  };
}

export const SAMPLES = [
  {
    name: 'hello',
    service: 'hello-svc',
    entry: 'samples/hello/dist/main.js',
    http: '/v1/hello/newcomer',
    tryIt: showGet('/v1/hello/newcomer'),
  },
  {
    name: 'greeter',
    service: 'greeter-svc',
    entry: 'samples/greeter/dist/main.js',
    http: '/v1/greeter/newcomer',
    tryIt: showGet('/v1/greeter/newcomer', 'greeter-svc asked hello-svc over UMF'),
  },
  {
    name: 'images',
    service: 'image-svc',
    entry: 'samples/image-worker/dist/main.js',
    async tryIt({ observer, log }) {
      const queue = new WorkQueue(observer);
      const jobs = [
        { url: 'https://example.com/cat.png', width: 320 },
        { url: 'https://example.com/dog.png', width: 640 },
        { url: 'not a url', width: 0 }, // fails validation: goes straight to mqincomplete
      ];
      for (const bdy of jobs)
        await queue.queueMessage({ to: 'image-svc:/', frm: 'demo:/', typ: 'resize', bdy });
      log(
        `\nQueued ${jobs.length} resize jobs on ${observer.keys.queueReceived('image-svc')} (one with an invalid body)`,
      );
      for (let i = 0; i < 50; i++) {
        const depths = await queue.depths('image-svc');
        if (depths.received + depths.inProgress === 0) break;
        await sleep(100);
      }
      const depths = await queue.depths('image-svc');
      log(`image-svc queue now: ${JSON.stringify(depths)}`);
      const [dead] = await queue.peek('image-svc', 'incomplete', 1);
      if (dead?.message) log(`dead letter reason: ${dead.message.bdy.reason}`);
    },
  },
];

/**
 * The gateway `npm run demo` starts in front of the samples: `hydra-nest-router` on ROUTER_PORT, else
 * a free port, routing by the routes the samples publish.
 */
export const ROUTER = {
  name: 'router',
  service: 'hydra-router',
  entry: 'packages/router/dist/cli/main.js',
  args: ['--host', '127.0.0.1'],
  port: process.env.ROUTER_PORT ? Number(process.env.ROUTER_PORT) : undefined,
  tryIt: showGet('/v1/hello/newcomer', 'the router sent it to hello-svc'),
};
