export { requestTransfer, transferRemarkLengthMax, type TransferRequestInput } from '../modules/transfers/index.js';
