export { scannerStalledKey, scannerUntracedKey } from '../modules/deposits/index.js';
