export { CallbackError, type CallbackErrorReason } from './errors.js';
export { readCallbackForm, openCallback, type CallbackBody, type CallbackForm, type OpenedCallback } from './body.js';
export { textContentType, jsonContentType, type CallbackResponse, type CallbackHandler } from './response.js';
export { parseNotification, toNotification, notificationSides } from './notification.js';
export { MemoryNotificationStore, defaultDedupeCapacity, type NotificationStore } from './dedupe.js';
export {
  createNotificationHandler,
  type NotificationHandler,
  type NotificationHandlerOptions,
  type NotificationCallback,
  type NotificationContext,
} from './notification-handler.js';
export { parseConfirmationRequest, toConfirmationRequest, type ConfirmationRequest } from './confirmation-request.js';
export {
  createConfirmationResponder,
  createWithdrawConfirmation,
  createTransferConfirmation,
  type Approver,
  type ConfirmationContext,
  type ConfirmationKeys,
  type ConfirmationResponder,
  type ConfirmationResponderOptions,
  type WithdrawConfirmationOptions,
  type TransferConfirmationOptions,
} from './confirmation.js';
export { defaultBodyLimit, readBody, type AdapterOptions, type BodyStreamLike } from './adapters/read-body.js';
export { toNodeHttpHandler } from './adapters/node.js';
export {
  toExpressHandler,
  type ExpressRequestLike,
  type ExpressResponseLike,
  type ExpressNextLike,
} from './adapters/express.js';
export { toFastifyHandler, type FastifyRequestLike, type FastifyReplyLike } from './adapters/fastify.js';
export {
  createTestNotification,
  createTestConfirmationRequest,
  readConfirmationReply,
  type TestNotificationInput,
  type TestConfirmationInput,
  type TestNotificationOptions,
  type TestConfirmationOptions,
  type ConfirmationReplyResult,
} from './testing.js';
