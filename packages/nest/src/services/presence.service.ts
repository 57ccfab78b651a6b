import { Injectable } from '@nestjs/common';
import type { Hydra, InstanceInfo, NodeEntry } from '@hydra-nest/core';
import { InjectHydra } from '../decorators/inject-hydra.decorator.js';

/**
 * This instance's identity and presence in Hydra's registry, and presence checks of other services.
 *
 * @example
 * constructor(private readonly presence: PresenceService) {}
 * whoAmI() { return `${this.presence.serviceName}/${this.presence.instanceId}`; }
 */
@Injectable()
export class PresenceService {
  constructor(@InjectHydra() private readonly hydra: Hydra) {}

  /** This instance's id: 32 lower-case hex characters, new for every start. */
  get instanceId(): string {
    return this.hydra.instanceId;
  }

  /** This service's name, lower-cased as Hydra stores it. */
  get serviceName(): string {
    return this.hydra.serviceName;
  }

  /**
   * This instance's entry in `hydra:service:nodes` as it is written now (ip, port, version, ...).
   *
   * @example
   * const { ip, port } = presence.nodeEntry();
   */
  nodeEntry(): NodeEntry {
    return this.hydra.presence.nodeEntry();
  }

  /**
   * Whether at least one instance of `service` is present (its presence key has not expired).
   *
   * @example
   * if (!(await presence.isPresent('billing-svc'))) throw new ServiceUnavailableException();
   */
  isPresent(service: string): Promise<boolean> {
    return this.hydra.discovery.hasPresence(service);
  }

  /**
   * The present instances of `service` (Hydra 1.x and hydra-nest alike), with their node details.
   *
   * @example
   * const instances = await presence.instances('billing-svc');
   */
  instances(service: string): Promise<InstanceInfo[]> {
    return this.hydra.discovery.instances(service);
  }
}
