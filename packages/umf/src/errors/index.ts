export { UmfError } from './umf-error.js';
export { UmfParseError } from './umf-parse-error.js';
export { UmfRouteError } from './umf-route-error.js';
export { UmfValidationError } from './umf-validation-error.js';
