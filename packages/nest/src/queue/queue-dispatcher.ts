import { HttpException } from '@nestjs/common';
import {
  defaultRetryPolicy,
  UnrecoverableJobError,
  type QueueConsumerOptions,
  type QueueJob,
  type QueueRetryPolicy,
} from '@hydra-nest/core';
import { QueueWorkerDefinitionError } from './errors/queue-worker-definition.error.js';
import type { QueueWorkerOptions } from './interfaces/queue-worker-options.interface.js';

/** One `@QueueWorker()` method, ready to call through Nest's pipes, guards and interceptors. */
export interface QueueWorkerBinding {
  /** `Class.method`, for messages. */
  name: string;
  options: QueueWorkerOptions;
  /** Calls the handler with (payload, job). */
  invoke: (payload: unknown, job: QueueJob) => Promise<unknown>;
}

interface Route {
  binding: QueueWorkerBinding;
  retry: QueueRetryPolicy;
}

/**
 * Routes the messages of one service's queue to its `@QueueWorker()` handlers by `typ`, applies each
 * handler's retry policy, and turns input errors (4xx `HttpException`s such as `ValidationPipe`'s
 * `BadRequestException`) into {@link UnrecoverableJobError}s, so they are dead-lettered at once.
 */
export class QueueDispatcher {
  private readonly byTyp = new Map<string, Route>();
  private fallback: Route | undefined;

  constructor(
    readonly service: string,
    private readonly bindings: readonly QueueWorkerBinding[],
  ) {
    for (const binding of bindings) {
      const route = { binding, retry: defaultRetryPolicy(binding.options) };
      const typ = binding.options.typ;
      const taken = typ === undefined ? this.fallback : this.byTyp.get(typ);
      if (taken) {
        throw new QueueWorkerDefinitionError(
          `${taken.binding.name} and ${binding.name} both handle ${typ === undefined ? 'messages without a typ' : `typ "${typ}"`} ` +
            `of queue ${service}; give one of them another typ in @QueueWorker({ typ })`,
        );
      }
      if (typ === undefined) this.fallback = route;
      else this.byTyp.set(typ, route);
    }
  }

  /** Options of the service's consumer: the sum of concurrencies, the longest lease and shutdown timeout. */
  consumerOptions(): QueueConsumerOptions {
    const all = this.bindings.map((b) => b.options);
    const max = (pick: (o: QueueWorkerOptions) => number | undefined) => {
      const values = all.map(pick).filter((v): v is number => v !== undefined);
      return values.length > 0 ? Math.max(...values) : undefined;
    };
    return {
      service: this.service,
      concurrency: all.reduce((sum, o) => sum + (o.concurrency ?? 1), 0),
      leaseMs: max((o) => o.leaseMs),
      shutdownTimeoutMs: max((o) => o.shutdownTimeoutMs),
      maxDeliveries: max((o) => o.maxDeliveries),
      reclaimUnleased: all.find((o) => o.reclaimUnleased)?.reclaimUnleased,
      retryPolicy: (job, error) => (this.route(job)?.retry ?? defaultRetryPolicy())(job, error),
    };
  }

  /** Calls the handler for `job`'s typ. */
  readonly handle = async (job: QueueJob): Promise<unknown> => {
    const route = this.route(job);
    if (!route) {
      throw new UnrecoverableJobError(
        `no @QueueWorker handles typ "${job.typ ?? ''}" in queue ${this.service}; ` +
          `add @QueueWorker({ typ: '${job.typ ?? ''}' }) or a worker without typ`,
      );
    }
    try {
      return await route.binding.invoke(job.payload, job);
    } catch (error) {
      throw asUnrecoverable(error) ?? error;
    }
  };

  private route(job: QueueJob): Route | undefined {
    const typ = job.typ;
    return (typ !== undefined ? this.byTyp.get(typ) : undefined) ?? this.fallback;
  }
}

/** A 4xx HttpException (invalid input, refused by a guard) as an UnrecoverableJobError naming the problems. */
function asUnrecoverable(error: unknown): UnrecoverableJobError | undefined {
  if (!(error instanceof HttpException)) return undefined;
  const status = error.getStatus();
  if (status < 400 || status >= 500) return undefined;
  const response = error.getResponse();
  const detail =
    typeof response === 'object' && response !== null && 'message' in response
      ? (response as { message: unknown }).message
      : undefined;
  const text = Array.isArray(detail)
    ? detail.join('; ')
    : typeof detail === 'string'
      ? detail
      : error.message;
  return new UnrecoverableJobError(`${error.name}: ${text}`, { cause: error });
}
