export { depositSubject, screenDeposit, screenWithdrawal, withdrawalSubject, type ScreenOptions } from '../../modules/kyt/index.js';
