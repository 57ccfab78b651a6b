import { Injectable } from '@nestjs/common';
import type { FlightRecord, Hydra } from '@hydra-nest/core';
import { InjectHydra } from '../decorators/inject-hydra.decorator.js';

/**
 * This instance's flight recorder (`hydra:service:<svc>:<id>:health:log`, the newest 64 entries), which
 * hydra-router's dashboard and hydra-cli show, and the logs of other services.
 *
 * @example
 * await recorder.info('cache warmed');
 * const recent = await recorder.latest(10);
 */
@Injectable()
export class FlightRecorderService {
  constructor(@InjectHydra() private readonly hydra: Hydra) {}

  /**
   * Appends an entry of `type` (`info`, `error`, `debug`, ...) with `msg` (text or any JSON value),
   * keeping the newest 64. Never throws: resolves `false` when the entry could not be written (Redis
   * away), because logging must not break the caller.
   *
   * @example
   * await recorder.append('warn', { slowQueryMs: 1200 });
   */
  append(type: string, msg: unknown): Promise<boolean> {
    return this.hydra.flightRecorder.append(type, msg);
  }

  /**
   * Appends an `info` entry.
   *
   * @example
   * await recorder.info('started nightly export');
   */
  info(msg: unknown): Promise<boolean> {
    return this.append('info', msg);
  }

  /**
   * Appends an `error` entry; an `Error` is recorded as its message.
   *
   * @example
   * await recorder.error(err);
   */
  error(msg: unknown): Promise<boolean> {
    return this.append('error', msg instanceof Error ? msg.message : msg);
  }

  /**
   * This instance's newest `n` entries (default 64), newest first.
   *
   * @example
   * const [last] = await recorder.latest(1);
   */
  latest(n?: number): Promise<FlightRecord[]> {
    return this.hydra.flightRecorder.latest(n);
  }

  /**
   * The newest `n` entries of every instance of `service`, merged, newest first.
   *
   * @example
   * const log = await recorder.serviceLog('billing-svc', 20);
   */
  serviceLog(service: string, n?: number): Promise<FlightRecord[]> {
    return this.hydra.flightRecorder.serviceLog(service, n);
  }
}
