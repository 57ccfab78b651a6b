// Trace context on messages and queue jobs, through @opentelemetry/api: a no-op until an SDK registers.
export { activeTracer, TRACER_NAME } from './active-tracer.js';
export { extractTraceContext, injectTraceContext } from './trace-headers.js';
export { MESSAGING_SYSTEM } from './message-spans.js';
