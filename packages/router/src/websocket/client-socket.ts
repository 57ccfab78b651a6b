import { serializeMessage, type UmfMessage } from '@hydra-nest/umf';
import WebSocket from 'ws';
import { clientRoute } from './client-messages.js';

/**
 * One connected client: its socket, the id it is known by (hydra-router's `bdy.id` of the welcome
 * message), and how many of its requests wait for a reply. Everything the gateway keeps about a client
 * lives here, so dropping this object on close leaves nothing behind.
 */
export class ClientSocket {
  /** Requests sent for this client that wait for their reply. */
  inFlight = 0;
  /** Whether it answered the last heartbeat ping. */
  alive = true;
  private open = true;

  constructor(
    /** The id the client is known by; changes when it reconnects under its old id. */
    public id: string,
    readonly socket: WebSocket,
    private readonly maxBufferedBytes: number,
  ) {}

  /** `<id>@client:/`. */
  get route(): string {
    return clientRoute(this.id);
  }

  /** False once the socket closed (a reply that arrives later is dropped). */
  get isOpen(): boolean {
    return this.open && this.socket.readyState === WebSocket.OPEN;
  }

  /**
   * Sends a message in UMF short form, as hydra-router does. A client whose unread replies outgrow
   * `maxBufferedBytes` is dropped: it reads slower than it asks. Never throws: it runs in reply
   * callbacks, where a throw would be an unhandled rejection.
   */
  send(message: UmfMessage): void {
    if (!this.isOpen) return;
    if (this.socket.bufferedAmount > this.maxBufferedBytes) {
      this.socket.terminate();
      return;
    }
    let text: string;
    try {
      text = serializeMessage(message);
    } catch {
      // A body JSON cannot carry (a BigInt or a cycle from a router request handler; service replies
      // arrive as JSON): nothing is sent rather than a broken frame.
      return;
    }
    this.socket.send(text, (error) => {
      if (error) this.socket.terminate();
    });
  }

  /** Marks it closed; called once, when the socket closes. */
  markClosed(): void {
    this.open = false;
  }
}
