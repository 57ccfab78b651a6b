export { HydraClient, type HydraClientOptions, type UmfPattern } from '../client/hydra.client.js';
export { UmfContext } from '../ctx-host/umf.context.js';
export { UmfEventHandler, UmfHandler } from '../decorators/umf-handler.decorator.js';
export { toUmfFailure, UmfExceptionFilter, type UmfFailure } from '../filters/umf-exception.filter.js';
export { HandlerIndex } from './handler-index.js';
export { HYDRA_TRANSPORT } from './hydra-transport.constants.js';
export { HydraTransport } from './hydra.transport.js';
