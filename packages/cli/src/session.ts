import { randomBytes } from 'node:crypto';
import { Hydra, QueueAdmin, silentLogger, type HydraContext } from '@hydra-nest/core';
import { UnknownServiceError } from './cli-errors.js';
import type { RedisTarget } from './redis-target.js';
import { CLI_VERSION } from './version.js';

/**
 * The CLI's connection to Redis: a core `Hydra` that reads the registry without registering, or, for
 * commands that wait for replies (`send`, `ping`), one that registers for their duration.
 *
 * Why register for replies: a Hydra 1.x service answers only an instance it finds present, and it
 * caches the instances of a service name for 3 s, so a second CLI run under the same name within 3 s
 * would never get its reply. Each replying session therefore registers under a name of its own
 * (`hydra-nest-cli-<8 hex>`) and removes every key of it when it closes.
 */
export class CliSession {
  /** Queue operator verbs on any service's queue. */
  readonly queues: QueueAdmin;

  private constructor(
    /** The core instance the commands use (`.discovery`, `.routes`, `.configs`, `.messaging`...). */
    readonly hydra: Hydra,
    /** Where Redis is, password hidden, for messages. */
    readonly where: string,
    /** Whether it registered (to receive replies). */
    private readonly registered: boolean,
  ) {
    const ctx: HydraContext = {
      redis: hydra.redis,
      keys: hydra.keys,
      identity: hydra.identity,
      logger: hydra.logger,
    };
    this.queues = new QueueAdmin(ctx);
  }

  /**
   * Connects (one attempt). With `replies`, registers a short-lived instance that can receive replies.
   *
   * @throws `RedisUnavailableError` when Redis cannot be reached.
   */
  static async open(target: RedisTarget, options: { replies?: boolean } = {}): Promise<CliSession> {
    const replies = options.replies === true;
    const hydra = new Hydra({
      serviceName: replies ? `hydra-nest-cli-${randomBytes(4).toString('hex')}` : 'hydra-nest-cli',
      serviceType: 'hydra-nest-cli',
      serviceDescription: 'hydra-nest operator command line',
      serviceVersion: CLI_VERSION,
      serviceIP: '127.0.0.1',
      register: replies,
      logger: silentLogger,
      redis: target.options,
      // A run lasts a moment: the health snapshot written at start is all it needs.
      health: { intervalMs: 60_000 },
    });
    await hydra.start();
    // Whatever is sent to the CLI itself gets a 503 at once instead of waiting for a handler.
    if (replies) hydra.messaging.declineMessages('hydra-nest-cli serves no messages');
    return new CliSession(hydra, target.address, replies);
  }

  /**
   * Checks that `service` is registered (its `P:S:service` entry exists: one EXISTS).
   *
   * @throws {@link UnknownServiceError} when it is not.
   */
  async requireService(service: string): Promise<void> {
    if (!(await this.isRegistered(service))) throw new UnknownServiceError(service, this.where);
  }

  /** Whether `service` has a registry entry. */
  async isRegistered(service: string): Promise<boolean> {
    return (await this.hydra.redis.exists(this.hydra.keys.service(service))) === 1;
  }

  /** Deregisters (a replying session leaves no key behind) and closes the connections. */
  async close(): Promise<void> {
    if (this.registered && this.hydra.running) {
      const { serviceName, instanceId } = this.hydra.identity;
      const { keys } = this.hydra;
      await this.hydra.redis
        .del(
          keys.service(serviceName),
          keys.health(serviceName, instanceId),
          keys.healthLog(serviceName, instanceId),
        )
        .catch(() => undefined); // Redis gone: nothing more to clean
    }
    await this.hydra.stop();
  }
}
