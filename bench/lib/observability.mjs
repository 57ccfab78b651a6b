// Metrics and tracing for the hydra-nest contenders, off unless asked for, so that one bench measures
// what they cost: BENCH_HYDRA_METRICS=1 (Prometheus metrics collected in both processes) and
// BENCH_HYDRA_TRACING=1 (an OpenTelemetry SDK registered in both processes, spans exported nowhere).
// bench/metrics-cost.mjs sets them for its own children.

/** Whether the run asks for metrics. */
export const metricsWanted = () => process.env.BENCH_HYDRA_METRICS === '1';

/** Whether the run asks for tracing. */
export const tracingWanted = () => process.env.BENCH_HYDRA_TRACING === '1';

/**
 * Registers an OpenTelemetry SDK as an application would: a tracer provider whose batch processor
 * exports to nowhere (what is measured is hydra-nest's work, not an exporter's), the W3C propagator and
 * the AsyncLocalStorage context manager.
 */
export async function registerTracing() {
  const { context, propagation, trace } = await import('@opentelemetry/api');
  const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
  const { W3CTraceContextPropagator } = await import('@opentelemetry/core');
  const { BasicTracerProvider, BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
  const nowhere = { export: (_spans, done) => done({ code: 0 }), shutdown: () => Promise.resolve() };
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(nowhere)] }),
  );
  // BENCH_HYDRA_TRACING_CONTEXT=none leaves the context manager out, to tell its cost (async hooks on
  // every promise of the process, on Node 20) from that of the spans themselves.
  if (process.env.BENCH_HYDRA_TRACING_CONTEXT !== 'none') {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  }
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
}
