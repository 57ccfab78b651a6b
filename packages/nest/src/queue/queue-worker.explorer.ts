import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import {
  ExternalContextCreator,
  MetadataScanner,
  DiscoveryService as NestDiscoveryService,
  Reflector,
} from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';
import { PARAM_ARGS_METADATA } from '@nestjs/microservices/constants.js';
import { QueueConsumer, type Hydra, type QueueJob } from '@hydra-nest/core';
import { InjectHydra } from '../decorators/inject-hydra.decorator.js';
import { HydraLifecycle } from '../hydra.lifecycle.js';
import { HYDRA_MODULE_OPTIONS } from '../hydra.tokens.js';
import type { HydraModuleOptions } from '../interfaces/hydra-module-options.interface.js';
import { QueueWorker } from './decorators/queue-worker.decorator.js';
import { QueueWorkerDefinitionError } from './errors/queue-worker-definition.error.js';
import type { QueueWorkerOptions } from './interfaces/queue-worker-options.interface.js';
import { QueueDispatcher, type QueueWorkerBinding } from './queue-dispatcher.js';
import { QueueParamsFactory } from './queue-params.factory.js';

/**
 * Finds the `@QueueWorker()` methods of every provider at bootstrap and starts one leased consumer per
 * service queue (after the Hydra instance has started: this explorer depends on `HydraLifecycle`, so
 * Nest runs its bootstrap hook later). Handlers are called through Nest's `ExternalContextCreator` in
 * the `rpc` context: `@Payload()` gets `bdy`, `@Job()`/`@Ctx()` the `QueueJob`, and pipes, guards and
 * interceptors apply as on a microservice handler.
 *
 * On module destroy (the first shutdown hook), consumers stop taking messages, let running handlers
 * finish (their `shutdownTimeoutMs`) and return the rest to received, before Hydra disconnects.
 */
@Injectable()
export class QueueWorkerExplorer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('QueueWorker');
  private readonly paramsFactory = new QueueParamsFactory();
  private consumers: QueueConsumer[] = [];

  constructor(
    private readonly discovery: NestDiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly contextCreator: ExternalContextCreator,
    @InjectHydra() private readonly hydra: Hydra,
    // Hydra starts before, and stops after, the consumers.
    private readonly lifecycle: HydraLifecycle,
    @Optional() @Inject(HYDRA_MODULE_OPTIONS) private readonly moduleOptions?: HydraModuleOptions,
  ) {}

  /** Starts a consumer for each service that has `@QueueWorker()` handlers. */
  async onApplicationBootstrap(): Promise<void> {
    const byService = new Map<string, QueueWorkerBinding[]>();
    for (const binding of this.explore()) {
      const service = (binding.options.service ?? this.hydra.serviceName).toLowerCase();
      byService.set(service, [...(byService.get(service) ?? []), binding]);
    }
    if (byService.size === 0) return;
    await this.lifecycle.whenStarted().catch(() => undefined);
    if (!this.hydra.running) {
      throw new QueueWorkerDefinitionError(
        'the Hydra instance is not running, so @QueueWorker handlers cannot start; check the HydraModule Redis connection',
      );
    }
    const dispatchers = [...byService].map(([service, bindings]) => new QueueDispatcher(service, bindings));
    for (const dispatcher of dispatchers) {
      const options = { ...this.moduleOptions?.queue, ...dispatcher.consumerOptions() };
      const consumer = new QueueConsumer(this.hydra, options, dispatcher.handle);
      this.consumers.push(consumer);
      await consumer.start();
      this.logger.log(
        `consuming queue ${dispatcher.service} with concurrency ${consumer.options.concurrency} ` +
          `(lease ${consumer.options.leaseMs} ms)`,
      );
    }
  }

  /** Stops every consumer gracefully (see the class description). */
  async onModuleDestroy(): Promise<void> {
    const consumers = this.consumers.splice(0);
    await Promise.all(consumers.map((c) => c.stop()));
  }

  /** Every `@QueueWorker()` method of the application's static providers. */
  explore(): QueueWorkerBinding[] {
    return this.discovery.getProviders().flatMap((wrapper) => this.bindingsOf(wrapper));
  }

  private bindingsOf(wrapper: InstanceWrapper): QueueWorkerBinding[] {
    const instance = wrapper.instance as Record<string, unknown> | undefined;
    if (!instance || typeof instance !== 'object' || !wrapper.metatype) return [];
    const prototype = Object.getPrototypeOf(instance) as object;
    return this.scanner.getAllMethodNames(prototype).flatMap((method) => {
      const handler = instance[method];
      if (typeof handler !== 'function') return [];
      const options = this.reflector.get<QueueWorkerOptions | undefined>(QueueWorker.KEY, handler);
      if (options === undefined) return [];
      const name = `${(instance.constructor as { name: string }).name}.${method}`;
      if (!wrapper.isDependencyTreeStatic()) {
        throw new QueueWorkerDefinitionError(
          `${name} is a @QueueWorker on a request-scoped provider; queue workers need a singleton provider`,
        );
      }
      const invoke = this.contextCreator.create(
        instance,
        handler as (...args: unknown[]) => unknown,
        method,
        PARAM_ARGS_METADATA,
        this.paramsFactory,
        undefined,
        undefined,
        { guards: true, interceptors: true, filters: false },
        'rpc',
      ) as (payload: unknown, job: QueueJob) => Promise<unknown>;
      return [{ name, options: options ?? {}, invoke }];
    });
  }
}
