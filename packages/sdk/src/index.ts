export * from './errors/index.js';
export * from './envelope/index.js';
export * from './types/index.js';
export * from './endpoints.js';
export * from './client/index.js';
export * from './callbacks/index.js';
