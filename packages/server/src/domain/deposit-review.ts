export { applyDepositVerdict, rejectDeposit, releaseDeposit } from '../modules/deposits/index.js';
