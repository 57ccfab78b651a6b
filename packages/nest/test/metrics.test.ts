import 'reflect-metadata';
import { Controller, Module, type INestApplication } from '@nestjs/common';
import { Hydra, silentLogger } from '@hydra-nest/core';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sampleValue, scrape } from '../../../test/harness/prometheus.js';
import { useRedis } from '../../../test/harness/redis.js';
import { HydraModule, HydraTransport, UmfHandler } from '../src/index.js';
import {
  HydraMetricsLifecycle,
  HydraMetricsModule,
  type HydraMetricsModuleOptions,
} from '../src/metrics/index.js';
import { baseUrl, Opened, serviceName } from './support.js';

@Controller()
class GreeterController {
  @UmfHandler('[get]/v1/hello/:name')
  hello() {
    return { hello: 'you' };
  }
}

describe('HydraMetricsModule', () => {
  const server = useRedis();
  const opened = new Opened();
  let caller: Hydra;

  beforeAll(async () => {
    caller = new Hydra({
      serviceName: 'caller-svc',
      logger: silentLogger,
      redis: { url: server.urlFor(15) },
    });
    await caller.start();
  });
  afterAll(() => caller.stop());
  afterEach(() => opened.closeAll());

  async function boot(metrics: HydraMetricsModuleOptions): Promise<{ app: INestApplication; name: string }> {
    const name = serviceName('greeter');
    @Module({
      imports: [
        HydraModule.forRoot({
          serviceName: name,
          serviceIP: '127.0.0.1',
          logger: silentLogger,
          redis: { url: server.urlFor(15) },
        }),
        // A registry per app: prom-client's global one would be shared by the apps of this file.
        HydraMetricsModule.forRoot({ registry: new Registry(), ...metrics }),
      ],
      controllers: [GreeterController],
    })
    class AppModule {}
    const app = await opened.app(AppModule);
    app.connectMicroservice({ strategy: app.get(HydraTransport) });
    await app.startAllMicroservices();
    await app.listen(0, '127.0.0.1');
    return { app, name };
  }

  it("serves /metrics on the application's HTTP port, counting what its handlers answered", async () => {
    const { app, name } = await boot({});
    await caller.messaging.request({ to: `${name}:[get]/v1/hello/ann`, bdy: {} });
    await caller.messaging.request({ to: `${name}:[get]/v1/hello/bob`, bdy: {} });
    const { status, contentType, samples } = await scrape(`${baseUrl(app)}/metrics`);
    expect(status).toBe(200);
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const route = `${name}:[get]/v1/hello/ann`;
    expect(sampleValue(samples, 'hydra_messages_received_total', { route, kind: 'message' })).toBe(1);
    expect(sampleValue(samples, 'hydra_messages_sent_total', { route, kind: 'reply' })).toBe(1);
    expect(sampleValue(samples, 'hydra_redis_connection_up', { connection: 'command' })).toBe(1);
    expect(sampleValue(samples, 'hydra_requests_in_flight')).toBe(0);
  });

  it("serves them on a port of their own when asked, and then not on the app's port", async () => {
    const { app, name } = await boot({ port: 0, host: '127.0.0.1', prefix: 'greeter_' });
    await caller.messaging.request({ to: `${name}:[get]/v1/hello/ann`, bdy: {} });
    const port = app.get(HydraMetricsLifecycle).port;
    const { samples } = await scrape(`http://127.0.0.1:${port}/metrics`);
    expect(
      sampleValue(samples, 'greeter_messages_received_total', { route: `${name}:[get]/v1/hello/ann` }),
    ).toBe(1);
    // Not on the application's own port then.
    expect((await fetch(`${baseUrl(app)}/metrics`)).status).toBe(404);
  });

  it('serves them at the path given', async () => {
    const { app } = await boot({ path: '/ops/prometheus' });
    const { status, text } = await scrape(`${baseUrl(app)}/ops/prometheus`);
    expect(status).toBe(200);
    expect(text).toContain('# TYPE hydra_request_duration_seconds histogram');
  });
});
