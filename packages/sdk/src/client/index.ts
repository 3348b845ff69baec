export { WaasClient, type WaasClientOptions } from './WaasClient.js';
