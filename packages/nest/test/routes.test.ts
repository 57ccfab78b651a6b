import 'reflect-metadata';
import {
  All,
  Controller,
  Delete,
  Get,
  Module,
  Post,
  RequestMethod,
  Version,
  VersioningType,
  type Type,
} from '@nestjs/common';
import { RouterModule } from '@nestjs/core';
import { silentLogger } from '@hydra-nest/core';
import { afterEach, describe, expect, it } from 'vitest';
import { useRedis } from '../../../test/harness/redis.js';
import { HydraExplorer, HydraModule, Route } from '../src/index.js';
import { toHydraPath, toHydraRoutes } from '../src/utils/hydra-route-strings.js';
import { Opened, serviceName } from './support.js';

@Controller('users')
class UsersController {
  @Get(':id')
  @Route()
  find() {}

  @Post()
  @Route()
  create() {}

  @Get('internal/stats')
  notMarked() {}

  @Get(['by-email/:email', 'by-name/:name'])
  @Route()
  lookup() {}

  @All('any')
  @Route()
  any() {}
}

@Controller({ path: 'orders', version: '2' })
@Route()
class OrdersController {
  @Get()
  list() {}

  @Delete(':id')
  remove() {}

  @Get('legacy')
  @Version('1')
  legacy() {}

  @Get('secret')
  @Route({ publish: false })
  secret() {}
}

@Controller('status')
@Route()
class StatusController {
  @Get()
  status() {}
}

@Controller('items')
class AdminItemsController {
  @Get()
  @Route()
  items() {}
}

@Module({ controllers: [AdminItemsController] })
class AdminModule {}

describe('@Route() publication', () => {
  const server = useRedis();
  const opened = new Opened();
  afterEach(() => opened.closeAll());

  function appModule(name: string, routes?: string[]): Type {
    @Module({
      imports: [
        HydraModule.forRoot({
          serviceName: name,
          servicePort: 4300,
          logger: silentLogger,
          redis: { url: server.urlFor(15) },
          routes,
        }),
        AdminModule,
        RouterModule.register([{ path: 'admin', module: AdminModule }]),
      ],
      controllers: [UsersController, OrdersController, StatusController],
    })
    class AppModule {}
    return AppModule;
  }

  it('publishes marked handlers under the global prefix and URI version, plus Hydra defaults', async () => {
    const name = serviceName('routes-svc');
    const app = await opened.app(appModule(name, ['[get]/legacy/ping']));
    app.setGlobalPrefix('api', { exclude: [{ path: 'status', method: RequestMethod.GET }] });
    app.enableVersioning({ type: VersioningType.URI, defaultVersion: '1' });
    await app.init();

    const routes = await opened.redis(server.urlFor(15)).smembers(`hydra:service:${name}:service:routes`);
    expect(routes.sort()).toEqual(
      [
        '[get]/legacy/ping',
        '[get]/api/v1/users/:id',
        '[post]/api/v1/users',
        '[get]/api/v1/users/by-email/:email',
        '[get]/api/v1/users/by-name/:name',
        ...['get', 'post', 'put', 'patch', 'delete'].map((m) => `[${m}]/api/v1/users/any`),
        '[get]/api/v2/orders',
        '[delete]/api/v2/orders/:id',
        '[get]/api/v1/orders/legacy',
        '[get]/v1/status',
        '[get]/api/v1/admin/items',
        `[get]/${name}`,
        `[get]/${name}/`,
        `[get]/${name}/:rest`,
      ].sort(),
    );
  });

  it('publishes plain paths when the application has no prefix or versioning', async () => {
    const app = await opened.app(appModule(serviceName('plain-svc')));
    await app.init();
    const routes = app.get(HydraExplorer).explore();
    expect(routes).toContain('[get]/users/:id');
    expect(routes).toContain('[get]/orders');
    expect(routes).toContain('[get]/orders/legacy');
    expect(routes).toContain('[get]/status');
    expect(routes).toContain('[get]/admin/items');
    expect(routes).not.toContain('[get]/users/internal/stats');
    expect(routes).not.toContain('[get]/orders/secret');
  });

  it('writes route strings in the route-parser syntax Hydra uses', () => {
    expect(toHydraPath('//api/users//:id/')).toBe('/api/users/:id');
    expect(toHydraPath('/files{/:name}')).toBe('/files(/:name)');
    expect(toHydraPath('/')).toBe('/');
    expect(toHydraRoutes(RequestMethod.PATCH, ['/a', '/b'])).toEqual(['[patch]/a', '[patch]/b']);
  });
});
