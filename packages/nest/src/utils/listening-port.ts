import type { EventEmitter } from 'node:events';

/** The slice of a Node `net.Server` (HTTP, HTTPS, HTTP/2) that port detection needs. */
export interface ListeningServer extends EventEmitter {
  listening?: boolean;
  address(): { port: number } | string | null;
}

/** The TCP port a server listens on, or `undefined` when it is not listening (or on a pipe). */
export function listeningPort(server: ListeningServer): number | undefined {
  const address = server.listening === false ? null : server.address();
  return address !== null && typeof address === 'object' ? address.port : undefined;
}

/**
 * Calls `onPort` with the server's port: at once when it already listens, else when it starts to.
 * Returns a function that cancels the wait.
 */
export function whenListening(server: ListeningServer, onPort: (port: number) => void): () => void {
  const now = listeningPort(server);
  if (now !== undefined) {
    onPort(now);
    return () => undefined;
  }
  const onListening = () => {
    const port = listeningPort(server);
    if (port !== undefined) onPort(port);
  };
  server.once('listening', onListening);
  return () => server.off('listening', onListening);
}
