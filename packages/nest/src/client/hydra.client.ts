import { Injectable } from '@nestjs/common';
import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { Hydra, HydraStateError, type HydraOptions, type RequestOptions } from '@hydra-nest/core';
import type { UmfInput } from '@hydra-nest/umf';
import { InjectHydra } from '../decorators/inject-hydra.decorator.js';

/**
 * Where a message goes: a route string (`'users-svc:[get]/v1/users/7'`, `'users-svc:/'`,
 * `'<instance>@users-svc:/'`), or an object with the route, UMF extras and per-call options.
 */
export type UmfPattern =
  | string
  | {
      /** The route, as in the string form. */
      to: string;
      /** The message type (`typ`), for handlers that dispatch on it. */
      typ?: string;
      /** UMF headers (`hdr`). */
      hdr?: Record<string, unknown>;
      /** Deadline of a `send()`, ms. Default: the messaging option (5000). */
      timeoutMs?: number;
      /** Retries of a `send()` on another instance when that is safe. Default: the messaging option (2). */
      retries?: number;
      /** `emit()` only: send to every instance of the service instead of one. */
      broadcast?: boolean;
    };

/**
 * Options of a {@link HydraClient} that brings its own Hydra instance (registered with
 * `ClientsModule.register([{ name, customClass: HydraClient, options }])`): the same options as the
 * module's, at least `serviceName` and `redis`.
 */
export type HydraClientOptions = HydraOptions;

/**
 * A Nest `ClientProxy` over UMF: `send()` is request-reply (an Observable of the reply's `bdy`, or a typed
 * `RemoteError` / `HydraTimeoutError` / `ServiceUnavailableError`), `emit()` is one-way (to one instance,
 * or to all with `broadcast: true`). Instances are chosen by load balancing from memory, with no Redis
 * round trip.
 *
 * Injected from `HydraModule`, it uses the application's Hydra instance. Registered through
 * `ClientsModule` with `customClass: HydraClient`, it starts an instance of its own on `connect()` and
 * stops it on `close()`.
 *
 * @example
 * constructor(private readonly client: HydraClient) {}
 * greet(name: string) {
 *   return this.client.send('hello-svc:[get]/v1/greet', { name }); // Observable of the reply body
 * }
 */
@Injectable()
export class HydraClient extends ClientProxy {
  private readonly hydra: Hydra;
  /** Whether this client created its Hydra instance (and so starts and stops it). */
  private readonly ownsHydra: boolean;
  private starting: Promise<void> | undefined;

  constructor(@InjectHydra() hydraOrOptions: Hydra | HydraClientOptions) {
    super();
    this.ownsHydra = !(hydraOrOptions instanceof Hydra);
    this.hydra = hydraOrOptions instanceof Hydra ? hydraOrOptions : new Hydra(hydraOrOptions);
  }

  /**
   * Resolves once the Hydra instance runs (the module's starts at bootstrap; an own one starts now).
   *
   * @throws `HydraStateError` when the instance was stopped (the application is closing).
   */
  async connect(): Promise<void> {
    const state = this.hydra.state;
    if (state === 'running') return;
    if (state === 'stopping' || state === 'stopped') {
      throw new HydraStateError(
        `HydraClient of ${this.hydra.serviceName}: the Hydra instance is ${state}; no message can be sent`,
      );
    }
    if (this.ownsHydra) {
      this.starting ??= this.hydra.start();
      return this.starting;
    }
    await new Promise<void>((resolve, reject) => {
      const onStarted = () => {
        this.hydra.off('stopped', onStopped);
        resolve();
      };
      const onStopped = () => {
        this.hydra.off('started', onStarted);
        reject(
          new HydraStateError(`the Hydra instance of ${this.hydra.serviceName} stopped before it started`),
        );
      };
      this.hydra.once('started', onStarted);
      this.hydra.once('stopped', onStopped);
    });
  }

  /** Stops an own Hydra instance; the module's closes with the application. */
  async close(): Promise<void> {
    if (this.ownsHydra) await this.hydra.stop();
  }

  /** No client events of its own: the core instance logs connection changes. */
  override on(): void {
    // nothing to subscribe to
  }

  /** The Hydra instance this client sends with. */
  unwrap<T>(): T {
    return this.hydra as T;
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    let disposed = false;
    let input: UmfInput;
    let options: RequestOptions;
    try {
      ({ input, options } = toUmf(packet.pattern as UmfPattern, packet.data));
    } catch (err) {
      callback({ err, isDisposed: true });
      return () => undefined;
    }
    this.hydra.messaging.request(input, options).then(
      (reply) => !disposed && callback({ response: reply.bdy, isDisposed: true }),
      (err: unknown) => !disposed && callback({ err, isDisposed: true }),
    );
    return () => {
      disposed = true;
    };
  }

  protected async dispatchEvent<T = unknown>(packet: ReadPacket): Promise<T> {
    const pattern = packet.pattern as UmfPattern;
    const { input } = toUmf(pattern, packet.data);
    const messaging = this.hydra.messaging;
    const sent =
      typeof pattern === 'object' && pattern.broadcast
        ? await messaging.sendBroadcastMessage(input)
        : await messaging.sendMessage(input);
    return sent as T;
  }

  /** Errors reach subscribers as they are (typed `RemoteError`, `HydraTimeoutError`...). */
  protected override serializeError(err: unknown): unknown {
    return err;
  }
}

function toUmf(pattern: UmfPattern, data: unknown): { input: UmfInput; options: RequestOptions } {
  if (typeof pattern === 'string') return { input: { to: pattern, bdy: data }, options: {} };
  if (typeof pattern !== 'object' || pattern === null || typeof pattern.to !== 'string') {
    throw new TypeError(
      `HydraClient pattern must be a route string such as "users-svc:[get]/v1/users" or { to, typ? }, got ${JSON.stringify(pattern)}`,
    );
  }
  const { timeoutMs, retries, broadcast: _broadcast, ...umf } = pattern;
  return { input: { ...umf, bdy: data }, options: { timeoutMs, retries } };
}
