import { trace, type Tracer, type TracerProvider } from '@opentelemetry/api';

/** The instrumentation scope hydra-nest's spans are recorded under. */
export const TRACER_NAME = '@hydra-nest/core';
const TRACER_VERSION = '0.1.0';

/** What `@opentelemetry/api` hands out: a proxy whose delegate is the SDK's provider once one registers. */
interface DelegatingProvider {
  getDelegate(): TracerProvider;
  getDelegateTracer(name: string, version?: string): Tracer | undefined;
}

/** The provider the tracer below was asked of: the answer stays good while the provider is the same. */
let askedOf: TracerProvider | undefined;
let tracer: Tracer | undefined;

/**
 * The tracer of the OpenTelemetry SDK registered in this process, or undefined while none is, so that
 * messaging skips every span and header at the cost of a property read or two. Looked at on each
 * message, since an SDK may register after the Hydra instance started; the tracer is asked of a
 * provider once (an SDK's `getTracer` builds a key string each time).
 */
export function activeTracer(): Tracer | undefined {
  const provider = trace.getTracerProvider();
  const proxy = provider as Partial<DelegatingProvider>;
  const current = typeof proxy.getDelegate === 'function' ? proxy.getDelegate() : provider;
  if (current !== askedOf) {
    askedOf = current;
    tracer =
      typeof proxy.getDelegateTracer === 'function'
        ? proxy.getDelegateTracer(TRACER_NAME, TRACER_VERSION)
        : provider.getTracer(TRACER_NAME, TRACER_VERSION);
  }
  return tracer;
}
