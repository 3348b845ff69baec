/**
 * Contracts as data, in one place: the error registries of both APIs, the merchant API's
 * endpoint and payload types (owned by the SDK), and the operator API's routes, request schemas
 * and response views. For the routes, the CLI, the docs and a web console.
 */
export * from './errors.js';
export * from './operator.js';
export { apiBasePath, endpoints, type EndpointName, type EndpointTypes } from '@openwaas/sdk';
