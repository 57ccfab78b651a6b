// Chooses the router's upstream HTTP client by measurement: a ~100 B service, a minimal streaming proxy
// with either node:http + a keep-alive Agent or undici's Pool, and a load generator, each in its own
// process. Prints c=1 p50 latency and c=64 requests/s for a direct call and both proxies.
// usage: node packages/router/bench/upstream-client.mjs [seconds-per-run]
import { fork } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

const SECONDS = Number(process.argv[2] ?? 3);
const role = process.env.BENCH_ROLE;

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}

async function service() {
  const body = JSON.stringify({ statusCode: 200, statusMessage: 'OK', result: { text: 'x'.repeat(40) } });
  const port = await listen(
    http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
    }),
  );
  process.send({ port });
}

async function proxy(kind, upstreamPort) {
  let forward;
  if (kind === 'node-http') {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });
    forward = (req, res) => {
      const up = http.request(
        {
          host: '127.0.0.1',
          port: upstreamPort,
          method: req.method,
          path: req.url,
          headers: req.headers,
          agent,
        },
        (upRes) => {
          res.writeHead(upRes.statusCode, upRes.headers);
          upRes.pipe(res);
        },
      );
      up.on('error', () => res.writeHead(502).end());
      req.pipe(up);
    };
  } else {
    const { Pool } = await import('undici');
    const pool = new Pool(`http://127.0.0.1:${upstreamPort}`, { connections: 128, pipelining: 1 });
    forward = (req, res) => {
      const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'];
      const { connection: _connection, host: _host, ...headers } = req.headers;
      pool.request({ method: req.method, path: req.url, headers, body: hasBody ? req : undefined }).then(
        (up) => {
          res.writeHead(up.statusCode, up.headers);
          up.body.pipe(res);
        },
        () => res.writeHead(502).end(),
      );
    };
  }
  const port = await listen(http.createServer(forward));
  process.send({ port });
}

async function load(port, concurrency) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies = [];
  let done = 0;
  const until = Date.now() + SECONDS * 1000;
  const one = () =>
    new Promise((resolve, reject) => {
      const start = process.hrtime.bigint();
      http
        .get({ host: '127.0.0.1', port, path: '/v1/x', agent }, (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
            done++;
            resolve();
          });
        })
        .on('error', reject);
    });
  const worker = async () => {
    while (Date.now() < until) await one();
  };
  // warm-up
  for (let i = 0; i < 200; i++) await one();
  latencies.length = 0;
  done = 0;
  const began = Date.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  latencies.sort((a, b) => a - b);
  process.send({
    p50: latencies[Math.floor(latencies.length / 2)],
    rps: Math.round((done * 1000) / (Date.now() - began)),
  });
}

function child(roleName, args) {
  const c = fork(fileURLToPath(import.meta.url), [String(SECONDS), ...args], {
    env: { ...process.env, BENCH_ROLE: roleName },
  });
  return { c, first: new Promise((resolve) => c.once('message', resolve)) };
}

if (role === 'service') await service();
else if (role === 'proxy') await proxy(process.argv[3], Number(process.argv[4]));
else if (role === 'load') {
  await load(Number(process.argv[3]), Number(process.argv[4]));
  process.exit(0);
} else {
  const svc = child('service', []);
  const { port: servicePort } = await svc.first;
  const targets = { direct: servicePort };
  const proxies = [];
  // undici is not a dependency of the router (node:http won): `npm install --no-save undici@7` to compare.
  const haveUndici = await import('undici').then(
    () => true,
    () => false,
  );
  if (!haveUndici) console.log('undici is not installed: measuring node:http only');
  for (const kind of haveUndici ? ['node-http', 'undici'] : ['node-http']) {
    const p = child('proxy', [kind, String(servicePort)]);
    proxies.push(p.c);
    targets[kind] = (await p.first).port;
  }
  for (const [name, port] of Object.entries(targets)) {
    const c1 = await child('load', [String(port), '1']).first;
    const c64 = await child('load', [String(port), '64']).first;
    console.log(`${name.padEnd(10)} c=1 p50 ${c1.p50.toFixed(3)} ms   c=64 ${c64.rps} req/s`);
  }
  for (const c of [svc.c, ...proxies]) c.kill();
}
