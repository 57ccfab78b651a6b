import {
  context,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type { UmfMessage } from '@hydra-nest/umf';
import { extractTraceContext, injectTraceContext } from './trace-headers.js';

/** `messaging.system` of every hydra-nest span. */
export const MESSAGING_SYSTEM = 'hydra';

/** The kind of send a producer span stands for (`messaging.operation.name`). */
export type SendOperation = 'request' | 'event' | 'broadcast' | 'queue';

function messageAttributes(message: UmfMessage, service: string): Attributes {
  const attributes: Attributes = {
    'messaging.system': MESSAGING_SYSTEM,
    'messaging.destination.name': service,
    'messaging.message.id': message.mid,
    'messaging.hydra.route': message.to,
  };
  if (message.rmid) attributes['messaging.message.conversation_id'] = message.rmid;
  if (message.typ) attributes['messaging.hydra.type'] = message.typ;
  return attributes;
}

/**
 * Starts the PRODUCER span of a message about to leave for `service`, as a child of the active
 * context, and writes its context into the message's `hdr`: the receiver's span joins the trace.
 */
export function startSendSpan(
  tracer: Tracer,
  message: UmfMessage,
  service: string,
  operation: SendOperation,
): Span {
  const span = tracer.startSpan(`send ${service}`, {
    kind: SpanKind.PRODUCER,
    attributes: {
      ...messageAttributes(message, service),
      'messaging.operation.type': 'send',
      'messaging.operation.name': operation,
    },
  });
  injectTraceContext(message, trace.setSpan(context.active(), span));
  return span;
}

/**
 * Starts the CLIENT span of an HTTP call to a service instance (`makeAPIRequest`) and writes its
 * context into the message's `hdr`, which goes out as the call's HTTP headers (`traceparent`).
 */
export function startHttpCallSpan(
  tracer: Tracer,
  message: UmfMessage,
  service: string,
  method: string,
): Span {
  const span = tracer.startSpan(`${method.toUpperCase()} ${service}`, {
    kind: SpanKind.CLIENT,
    attributes: {
      'http.request.method': method.toUpperCase(),
      'peer.service': service,
      'messaging.hydra.route': message.to,
    },
  });
  injectTraceContext(message, trace.setSpan(context.active(), span));
  return span;
}

/** Ends an HTTP call's span with the status it answered: failed from 500 on, or when the call threw. */
export function endHttpCallSpan<T extends { statusCode: number }>(span: Span, call: Promise<T>): Promise<T> {
  call.then(
    (response) => {
      span.setAttribute('http.response.status_code', response.statusCode);
      if (response.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    },
    (error: unknown) => {
      failSpan(span, error);
      span.end();
    },
  );
  return call;
}

/** Ends `span` once `work` settles, with an error status when it rejects; returns `work` unchanged. */
export function endWhenSettled<T>(span: Span, work: Promise<T>): Promise<T> {
  work.then(
    () => span.end(),
    (error: unknown) => {
      failSpan(span, error);
      span.end();
    },
  );
  return work;
}

/** Marks `span` failed with `error`'s name and message. */
export function failSpan(span: Span, error: unknown): void {
  const name = (error as Error | undefined)?.name ?? 'Error';
  span.setAttribute('error.type', name);
  span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error | undefined)?.message });
}

/**
 * Runs the handling of a received message in a CONSUMER span whose parent is the trace context the
 * message carries, with that span active, so that what the handler sends joins the trace. The span
 * ends when what `run` returns settles (at once when it returns no promise).
 */
export function runInProcessSpan<T>(
  tracer: Tracer,
  message: UmfMessage,
  service: string,
  operation: string,
  run: () => T,
  extra?: Attributes,
): T {
  const parent = extractTraceContext(message);
  const span = tracer.startSpan(
    `process ${service}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        ...messageAttributes(message, service),
        'messaging.operation.type': 'process',
        'messaging.operation.name': operation,
        ...extra,
      },
    },
    parent,
  );
  let result: T;
  try {
    result = context.with(trace.setSpan(parent, span), run);
  } catch (error) {
    failSpan(span, error);
    span.end();
    throw error;
  }
  if (result instanceof Promise) void endWhenSettled(span, result);
  else span.end();
  return result;
}

/** Marks the active span failed with `status` (an error reply this instance is sending). */
export function markActiveSpanFailed(status: number, name: string): void {
  const span = trace.getActiveSpan();
  if (!span) return;
  span.setAttribute('error.type', name || String(status));
  span.setStatus({ code: SpanStatusCode.ERROR, message: `answered ${status}` });
}
