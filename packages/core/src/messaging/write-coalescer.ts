import type { Redis } from 'ioredis';

/**
 * Coalesces the commands written to one connection within one turn of the event loop into a single
 * socket write: the socket is corked at the first write and uncorked once the current batch of
 * callbacks and promise reactions has run. A burst of replies then costs one syscall, not one each,
 * while a lone message is still written before the event loop waits for I/O again (no added latency).
 */
export class WriteCoalescer {
  private corked = false;

  constructor(private readonly redis: Redis) {}

  /** Call before issuing a command on the connection. */
  hold(): void {
    if (this.corked) return;
    const stream = (
      this.redis as unknown as { stream?: NodeJS.WritableStream & { cork?(): void; uncork?(): void } }
    ).stream;
    if (!stream?.cork || !stream.uncork) return;
    this.corked = true;
    stream.cork();
    process.nextTick(() => {
      this.corked = false;
      stream.uncork!();
    });
  }
}
