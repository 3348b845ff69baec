export { decideHeldAction, heldPageSizeMax, listHeldAction, type HeldDecision, type HeldRecords } from '../../modules/kyt/index.js';
