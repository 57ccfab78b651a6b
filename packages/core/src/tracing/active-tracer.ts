import { trace, type Tracer } from '@opentelemetry/api';

/** The instrumentation scope hydra-nest's spans are recorded under. */
export const TRACER_NAME = '@hydra-nest/core';
const TRACER_VERSION = '0.1.0';

/** What `@opentelemetry/api` hands out before an SDK registers: a proxy that may have a delegate. */
interface DelegatingProvider {
  getDelegateTracer(name: string, version?: string): Tracer | undefined;
}

/**
 * The tracer of the OpenTelemetry SDK registered in this process, or undefined while none is, so that
 * messaging skips every span and header at the cost of a property read or two. Asked on each message,
 * because an SDK may register after the Hydra instance started.
 */
export function activeTracer(): Tracer | undefined {
  const provider = trace.getTracerProvider();
  const proxy = provider as Partial<DelegatingProvider>;
  if (typeof proxy.getDelegateTracer === 'function')
    return proxy.getDelegateTracer(TRACER_NAME, TRACER_VERSION);
  return provider.getTracer(TRACER_NAME, TRACER_VERSION);
}
