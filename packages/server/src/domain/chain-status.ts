export { chainStatuses, type ChainStatus } from '../modules/deposits/index.js';
