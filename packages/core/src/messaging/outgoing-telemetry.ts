import type { Span } from '@opentelemetry/api';
import type { UmfMessage } from '@hydra-nest/umf';
import { activeTracer } from '../tracing/active-tracer.js';
import {
  endHttpCallSpan,
  endWhenSettled,
  markActiveSpanFailed,
  startHttpCallSpan,
  startSendSpan,
  type SendOperation,
} from '../tracing/message-spans.js';
import { injectTraceContext } from '../tracing/trace-headers.js';
import { ERROR_REPLY_TYPE, type UmfErrorBody } from './error-replies.js';
import { statusOfFailure, type MessagingObservers } from './messaging-observer.js';

/**
 * What the messenger tells observers (metrics) and OpenTelemetry about the messages it sends. With no
 * observer and no SDK, each call costs a property read and one look at the global tracer provider.
 *
 * @internal
 */
export class OutgoingTelemetry {
  constructor(private readonly observers: MessagingObservers) {}

  /**
   * Sends an event or broadcast with `send`: counted, and in a PRODUCER span (its context written into
   * the message's `hdr`) when an SDK is registered.
   */
  send(
    message: UmfMessage,
    service: () => string,
    operation: Exclude<SendOperation, 'request' | 'queue'>,
    send: (message: UmfMessage) => Promise<UmfMessage>,
  ): Promise<UmfMessage> {
    if (this.observers.active) this.observers.sent(message, operation);
    const tracer = activeTracer();
    if (tracer === undefined) return send(message);
    const span = startSendSpan(tracer, message, service(), operation);
    return endWhenSettled(span, send(message));
  }

  /**
   * Makes an HTTP call to an instance with `call`: in a CLIENT span, whose context goes out in the
   * call's headers, when an SDK is registered and the route names a method.
   */
  httpCall<T extends { statusCode: number }>(
    message: UmfMessage,
    routeOf: () => { service: string; method?: string } | undefined,
    call: (message: UmfMessage) => Promise<T>,
  ): Promise<T> {
    const tracer = activeTracer();
    if (tracer === undefined) return call(message);
    const route = routeOf();
    if (!route?.method) return call(message);
    return endHttpCallSpan(startHttpCallSpan(tracer, message, route.service, route.method), call(message));
  }

  /**
   * A request is about to be sent: when an SDK is registered, starts its PRODUCER span (returned) and
   * writes the span's context into the message's `hdr`. Call before the request is written.
   */
  beforeRequest(message: UmfMessage, service: string): Span | undefined {
    const tracer = activeTracer();
    return tracer && startSendSpan(tracer, message, service, 'request');
  }

  /**
   * The request was sent: counted and timed until it settles, and its span (from {@link beforeRequest})
   * ended then. Returns `settled` for the caller.
   */
  afterRequest(
    message: UmfMessage,
    settled: Promise<UmfMessage>,
    span: Span | undefined,
  ): Promise<UmfMessage> {
    if (this.observers.active) this.observeRequest(message, settled);
    return span ? endWhenSettled(span, settled) : settled;
  }

  /**
   * A reply to `original` is about to leave: observers learn the status it answers with, and it carries
   * the trace context of the handling (the active span, which an error reply marks failed).
   */
  reply(original: UmfMessage, reply: UmfMessage): void {
    const observed = this.observers.active;
    const traced = activeTracer() !== undefined;
    if (!observed && !traced) return;
    const error = reply.typ === ERROR_REPLY_TYPE ? (reply.bdy as Partial<UmfErrorBody>) : undefined;
    const status = typeof error?.statusCode === 'number' ? error.statusCode : 200;
    if (observed) {
      this.observers.answered(original, status);
      this.observers.sent(reply, 'reply');
    }
    if (!traced) return;
    injectTraceContext(reply);
    if (status >= 400) markActiveSpanFailed(status, error?.error?.name ?? '');
  }

  private observeRequest(message: UmfMessage, settled: Promise<UmfMessage>): void {
    const startedAt = performance.now();
    this.observers.sent(message, 'request');
    settled.then(
      () => this.observers.requestSettled(message, 200, startedAt),
      (error: unknown) => this.observers.requestSettled(message, statusOfFailure(error), startedAt),
    );
  }
}
