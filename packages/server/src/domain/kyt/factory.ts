export { createKytProvider } from '../../modules/kyt/index.js';
