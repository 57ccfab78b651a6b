import { Controller, Get, Param } from '@nestjs/common';
import { DiscoveryService, HydraClient, Route } from '@hydra-nest/nest';
import { firstValueFrom } from 'rxjs';

/** Greets by asking hello-svc over UMF: request-reply through Redis, load-balanced over its instances. */
@Controller('v1/greeter')
export class GreeterController {
  constructor(
    private readonly hello: HydraClient,
    private readonly discovery: DiscoveryService,
  ) {}

  @Get(':name')
  @Route()
  async greet(@Param('name') name: string) {
    const reply = await firstValueFrom(this.hello.send({ to: 'hello-svc:/', typ: 'hello.greet' }, { name }));
    const instances = await this.discovery.instances('hello-svc');
    return { statusCode: 200, result: { ...reply, helloInstances: instances.length } };
  }
}
