import {
  context,
  propagation,
  ROOT_CONTEXT,
  type Context,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';
import type { UmfMessage } from '@hydra-nest/umf';

type Headers = Record<string, unknown>;

const getter: TextMapGetter<Headers> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    return typeof value === 'string' ? value : undefined;
  },
};

const setter: TextMapSetter<Headers> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

/**
 * Writes the trace context of `ctx` (W3C `traceparent`, `tracestate` with the default propagator) into
 * the message's `hdr`, Hydra's `headers`: the one UMF field Hydra 1.x keeps when it relays a message,
 * copies into its replies and turns into HTTP headers in `makeAPIRequest`. The `hdr` object is copied
 * first: a caller's (or the original request's, for a reply) is never changed.
 */
export function injectTraceContext(message: UmfMessage, ctx: Context = context.active()): void {
  const headers: Headers = { ...(message.hdr as Headers | undefined) };
  let written = false;
  propagation.inject(ctx, headers, {
    set: (carrier, key, value) => {
      setter.set(carrier, key, value);
      written = true;
    },
  });
  // No propagator registered: nothing to carry, and a message without headers keeps none.
  if (written) message.hdr = headers;
}

/** The trace context a received message carries in its `hdr`; the root context when it carries none. */
export function extractTraceContext(message: UmfMessage): Context {
  const headers = message.hdr as Headers | undefined;
  if (!headers || typeof headers !== 'object') return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, headers, getter);
}
