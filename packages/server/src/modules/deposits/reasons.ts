/** review_reason of a deposit whose block left the chain before it was credited. */
export const reorgFailedReason = 'block reorganised away';
/** review_reason of a confirmed deposit smaller than the coin's min_deposit. */
export const belowMinimumReason = 'below minimum deposit';

/** Alert key of "deposit `depositId` was settled, then its block was reorganised away". */
export const reorgAfterCreditKey = (depositId: number) => `reorg-after-credit:${depositId}`;
