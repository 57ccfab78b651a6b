import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hydra, silentLogger } from '@hydra-nest/core';
import WebSocket from 'ws';

/** A started Hydra instance named `hydra-router`, as the gateway runs in, on `redisUrl`. */
export async function startRouterInstance(redisUrl: string): Promise<Hydra> {
  const router = new Hydra({
    serviceName: 'hydra-router',
    serviceIP: '127.0.0.1',
    logger: silentLogger,
    redis: { url: redisUrl },
  });
  await router.start();
  return router;
}

/** A message as a client receives it: JSON text parsed, UMF short keys. */
export type Received = Record<string, any>;

/**
 * A WebSocket client for tests: keeps every message it receives and waits for the one a test expects.
 *
 * @example
 * const client = await TestClient.connect(url);
 * client.sendJson({ to: 'echo-svc:/', frm: 'client:/', mid: 'm1', bdy: {} });
 * const reply = await client.next((m) => m.rmid === 'm1');
 */
export class TestClient {
  readonly received: Received[] = [];
  /** The close code, once the socket closed. */
  closeCode: number | undefined;
  private readonly waiters = new Set<() => void>();
  private readonly closed: Promise<number>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.received.push(JSON.parse(data.toString()) as Received);
      for (const wake of this.waiters) wake();
    });
    this.closed = new Promise((resolve) =>
      socket.once('close', (code) => {
        this.closeCode = code;
        for (const wake of this.waiters) wake();
        resolve(code);
      }),
    );
  }

  /** Opens a socket and waits for the router's welcome message. */
  static async connect(url: string, options?: WebSocket.ClientOptions): Promise<TestClient> {
    const socket = new WebSocket(url, options);
    const client = new TestClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    await client.next((m) => m.typ === 'connection');
    return client;
  }

  /** The welcome message's socket id. */
  get id(): string {
    return this.received.find((m) => m.typ === 'connection')!.bdy.id as string;
  }

  sendJson(value: unknown): void {
    this.socket.send(JSON.stringify(value));
  }

  sendText(text: string): void {
    this.socket.send(text);
  }

  /** The first received message that `match` accepts, waiting for it up to `timeoutMs`. */
  next(match: (m: Received) => boolean, timeoutMs = 10_000): Promise<Received> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.received.find(match);
        if (found) {
          this.waiters.delete(wake);
          clearTimeout(timer);
          resolve(found);
          return true;
        }
        return false;
      };
      const wake = (): void => void check();
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        reject(new Error(`no matching message within ${timeoutMs} ms; got ${JSON.stringify(this.received)}`));
      }, timeoutMs);
      if (!check()) this.waiters.add(wake);
    });
  }

  /** The reply to the message whose `mid` is `mid`. */
  reply(mid: string, timeoutMs?: number): Promise<Received> {
    return this.next((m) => m.rmid === mid, timeoutMs);
  }

  /** Closes the socket and resolves its close code. */
  async close(): Promise<number> {
    if (this.closeCode === undefined) this.socket.close();
    return this.closed;
  }

  /** Resolves the close code once the server closed the socket. */
  whenClosed(): Promise<number> {
    return this.closed;
  }
}

/** A plain HTTP server on a free loopback port, for the gateway to attach to. */
export async function listeningServer(): Promise<{ server: Server; url: string; stop(): Promise<void> }> {
  const server = createServer((_req, res) => res.writeHead(404).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `ws://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
