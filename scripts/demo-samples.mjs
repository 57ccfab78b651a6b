// The sample services `npm run demo` runs, and what it shows of each.
import http from 'node:http';

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

export const SAMPLES = [
  {
    name: 'hello',
    service: 'hello-svc',
    entry: 'samples/hello/dist/main.js',
    http: '/v1/hello/newcomer',
    async tryIt({ port, log }) {
      const { status, body } = await getJson(port, '/v1/hello/newcomer');
      log(`\nGET http://127.0.0.1:${port}/v1/hello/newcomer -> ${status} ${body}`);
    },
  },
];
