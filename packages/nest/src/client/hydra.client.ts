import { Injectable } from '@nestjs/common';
import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { Hydra, type HydraOptions, type RequestOptions } from '@hydra-nest/core';
import type { UmfInput } from '@hydra-nest/umf';
import { InjectHydra } from '../decorators/inject-hydra.decorator.js';

/**
 * Where a message goes: a route string (`'users-svc:[get]/v1/users/7'`, `'users-svc:/'`,
 * `'<instance>@users-svc:/'`), or an object with the route and UMF extras.
 */
export type UmfPattern =
  string | { to: string; typ?: string; hdr?: Record<string, unknown>; timeoutMs?: number; retries?: number };

/**
 * Options of a {@link HydraClient} that brings its own Hydra instance (registered with
 * `ClientsModule.register([{ name, customClass: HydraClient, options }])`): the same options as the
 * module's, at least `serviceName` and `redis`.
 */
export type HydraClientOptions = HydraOptions;

/**
 * A Nest `ClientProxy` over UMF: `send()` is request-reply (the reply's `bdy`, or a typed
 * `RemoteError` / `HydraTimeoutError` / `ServiceUnavailableError`), `emit()` is one-way. Instances are
 * chosen by the module's load balancing from memory, with no Redis round trip.
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

  /** Resolves once the Hydra instance runs (the module's starts at bootstrap; an own one starts now). */
  async connect(): Promise<void> {
    if (this.hydra.running) return;
    if (this.ownsHydra) {
      this.starting ??= this.hydra.start();
      return this.starting;
    }
    await new Promise<void>((resolve) => this.hydra.once('started', () => resolve()));
  }

  /** Stops an own Hydra instance; the module's closes with the application. */
  async close(): Promise<void> {
    if (this.ownsHydra) await this.hydra.stop();
  }

  override on(): void {
    // No client events of its own: connection state is logged by the core instance.
  }

  unwrap<T>(): T {
    return this.hydra as T;
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    let disposed = false;
    const { input, options } = toUmf(packet.pattern as UmfPattern, packet.data);
    this.hydra.messaging.request(input, options).then(
      (reply) => !disposed && callback({ response: reply.bdy, isDisposed: true }),
      (err: unknown) => !disposed && callback({ err, isDisposed: true }),
    );
    return () => {
      disposed = true;
    };
  }

  protected async dispatchEvent<T = unknown>(packet: ReadPacket): Promise<T> {
    const { input } = toUmf(packet.pattern as UmfPattern, packet.data);
    return (await this.hydra.messaging.sendMessage(input)) as T;
  }

  protected override serializeError(err: unknown): unknown {
    return err;
  }
}

function toUmf(pattern: UmfPattern, data: unknown): { input: UmfInput; options: RequestOptions } {
  if (typeof pattern === 'string') return { input: { to: pattern, bdy: data }, options: {} };
  const { timeoutMs, retries, ...umf } = pattern;
  return { input: { ...umf, bdy: data }, options: { timeoutMs, retries } };
}
