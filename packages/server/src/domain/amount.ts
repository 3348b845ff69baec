export { formatAmount, parseAmount } from '../money/amount.js';
