import { Injectable } from '@nestjs/common';
import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import type { Hydra, RequestOptions } from '@hydra-nest/core';
import type { UmfInput } from '@hydra-nest/umf';
import { InjectHydra } from '../decorators/inject-hydra.decorator.js';

/**
 * Where a message goes: a route string (`'users-svc:[get]/v1/users/7'`, `'users-svc:/'`,
 * `'<instance>@users-svc:/'`), or an object with the route and UMF extras.
 */
export type UmfPattern =
  string | { to: string; typ?: string; hdr?: Record<string, unknown>; timeoutMs?: number; retries?: number };

/**
 * A Nest `ClientProxy` over UMF: `send()` is request-reply (the reply's `bdy`, or a typed
 * `RemoteError` / `HydraTimeoutError` / `ServiceUnavailableError`), `emit()` is one-way. Instances are
 * chosen by the module's load balancing from memory, with no Redis round trip.
 *
 * @example
 * constructor(private readonly client: HydraClient) {}
 * greet(name: string) {
 *   return this.client.send('hello-svc:[get]/v1/greet', { name }); // Observable of the reply body
 * }
 */
@Injectable()
export class HydraClient extends ClientProxy {
  constructor(@InjectHydra() private readonly hydra: Hydra) {
    super();
  }

  /** Resolves once the Hydra instance runs (it is started by the module at bootstrap). */
  async connect(): Promise<void> {
    if (this.hydra.running) return;
    await new Promise<void>((resolve) => this.hydra.once('started', () => resolve()));
  }

  close(): void {
    // The Hydra instance belongs to the module; it closes with the application.
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
