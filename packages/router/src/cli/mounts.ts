import { createDashboard } from '../dashboard/index.js';
import type { RouterPlugin } from '../router-options.js';
import { attachWebSocketGateway } from '../websocket/index.js';

/**
 * What `hydra-nest-router` mounts on the router: one line per component. The dashboard serves
 * `/dashboard`; the WebSocket gateway takes the server's upgrades and receives the router's UMF
 * messages through `onMessage` (not `hydra.messaging.setHandler`, which would displace the router's
 * own handler of route refreshes), answers its clients' `[get]/v1/router/...` requests with
 * `routerRequests`, and counts their messages in the router's `stats.ws`.
 */
export function defaultMounts(): RouterPlugin[] {
  return [
    ({ hydra }) => createDashboard(hydra),
    ({ server, hydra, onMessage, routerRequests, stats }) =>
      attachWebSocketGateway(server, hydra, {
        onMessage,
        routerRequests,
        countMessage: (s) => stats.ws.count(s),
      }),
  ];
}
