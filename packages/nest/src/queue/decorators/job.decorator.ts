import { Ctx } from '@nestjs/microservices';

/**
 * Injects the {@link QueueJob} of the current delivery into a {@link QueueWorker} handler: the whole
 * message, `attempt`, `firstDeliveredAt`, `service`. (The same slot `@Ctx()` reads.)
 *
 * @example
 * @QueueWorker()
 * async handle(@Payload() body: OrderDto, @Job() job: QueueJob) {
 *   if (job.isRedelivery && (await this.orders.exists(job.mid))) return;
 * }
 */
export const Job = (): ParameterDecorator => Ctx();
