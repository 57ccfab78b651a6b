import { Inject } from '@nestjs/common';
import { HYDRA } from '../hydra.tokens.js';

/**
 * Injects the core `Hydra` instance of `HydraModule`, for what the injectable services do not cover
 * (its raw `redis` connection, `keys`, events).
 *
 * @example
 * constructor(@InjectHydra() private readonly hydra: Hydra) {}
 */
export const InjectHydra = (): ParameterDecorator & PropertyDecorator => Inject(HYDRA);
