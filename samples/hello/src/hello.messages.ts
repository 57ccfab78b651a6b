import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { UmfContext, UmfHandler } from '@hydra-nest/nest';

/** UMF handlers of hello-svc: what other services (Hydra 1.x or hydra-nest) call over Redis. */
@Controller()
export class HelloMessages {
  @UmfHandler('hello.greet')
  greet(@Payload() body: { name?: string }, @Ctx() ctx: UmfContext) {
    return { greeting: `hello, ${body.name ?? 'stranger'}`, via: 'umf', askedBy: ctx.getSender().service };
  }
}
