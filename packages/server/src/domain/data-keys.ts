export { adoptDataKey, DataKeyMismatchError } from '../modules/merchants/index.js';
