import { Controller, Get, Param } from '@nestjs/common';
import { FlightRecorderService, Route } from '@hydra-nest/nest';

/** HTTP routes of hello-svc; `@Route()` publishes them in Hydra's route set for routers and callers. */
@Controller('v1/hello')
export class HelloController {
  constructor(private readonly recorder: FlightRecorderService) {}

  @Get()
  @Route()
  index() {
    return { statusCode: 200, result: { greeting: 'hello, world' } };
  }

  @Get(':name')
  @Route()
  async greet(@Param('name') name: string) {
    await this.recorder.append('info', `greeted ${name}`);
    return { statusCode: 200, result: { greeting: `hello, ${name}` } };
  }
}
