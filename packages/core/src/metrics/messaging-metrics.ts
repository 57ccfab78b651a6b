import type { UmfMessage } from '@hydra-nest/umf';
import type {
  MessageKind,
  MessagingObserver,
  ReceivedKind,
  RefusalReason,
} from '../messaging/messaging-observer.js';
import { LabelledCounts } from './labelled-counts.js';
import { LatencyHistogram } from './latency-histogram.js';
import type { RouteLabels } from './route-labels.js';

/**
 * The messaging observer behind the metrics: counts by route, kind and status in plain maps, and
 * request latencies in a {@link LatencyHistogram}. A reply is counted under the route it answers
 * (its `frm`), not the address of the requester.
 */
export class MessagingMetrics implements MessagingObserver {
  readonly sentCounts = new LabelledCounts(['route', 'kind']);
  readonly receivedCounts = new LabelledCounts(['route', 'kind']);
  readonly failedCounts = new LabelledCounts(['route', 'status', 'side']);
  readonly refusedCounts = new LabelledCounts(['route', 'reason']);
  readonly latency: LatencyHistogram;

  constructor(
    private readonly routes: RouteLabels,
    latencyName: string,
    buckets?: readonly number[],
  ) {
    this.latency = new LatencyHistogram(latencyName, buckets);
  }

  sent(message: UmfMessage, kind: MessageKind): void {
    this.sentCounts.inc(this.routes.of(kind === 'reply' ? message.frm : message.to), kind);
  }

  received(message: UmfMessage, kind: ReceivedKind): void {
    this.receivedCounts.inc(this.routes.of(kind === 'reply' ? message.frm : message.to), kind);
  }

  refused(message: UmfMessage, reason: RefusalReason): void {
    this.refusedCounts.inc(this.routes.of(message.to), reason);
  }

  requestSettled(request: UmfMessage, status: number, startedAt: number): void {
    const route = this.routes.of(request.to);
    this.latency.observe(route, status, (performance.now() - startedAt) / 1000);
    if (status >= 400) this.failedCounts.inc(route, status, 'client');
  }

  answered(request: UmfMessage, status: number): void {
    if (status >= 400) this.failedCounts.inc(this.routes.of(request.to), status, 'server');
  }
}
