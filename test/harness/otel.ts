import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach } from 'vitest';

/** The spans a test file's OpenTelemetry SDK recorded. */
export interface RecordedSpans {
  /** Every span ended so far (since the last test began). */
  spans(): ReadableSpan[];
  /** The one span named `name` (and of `kind`, when given); throws when there is not exactly one. */
  one(name: string, filter?: (span: ReadableSpan) => boolean): ReadableSpan;
}

/**
 * Registers an OpenTelemetry SDK for the test file, as an application does at start: a tracer
 * provider exporting to memory, the W3C trace-context propagator and the AsyncLocalStorage context
 * manager. Spans are cleared before each test; the SDK is unregistered after the file.
 */
export function useTracing(): RecordedSpans {
  const exporter = new InMemorySpanExporter();
  beforeAll(() => {
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    trace.setGlobalTracerProvider(provider);
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  });
  beforeEach(() => exporter.reset());
  afterAll(() => {
    trace.disable();
    context.disable();
    propagation.disable();
  });
  const spans = () => exporter.getFinishedSpans();
  return {
    spans,
    one(name, filter = () => true) {
      const found = spans().filter((s) => s.name === name && filter(s));
      if (found.length !== 1) {
        throw new Error(
          `expected one span "${name}", found ${found.length} among: ${spans()
            .map((s) => s.name)
            .join(', ')}`,
        );
      }
      return found[0]!;
    },
  };
}

/** The id of a span's parent, or undefined for a root span. */
export function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}
