import { parsePublicKey, type KeyInput } from '../envelope/keys.js';
import type { DepositNotification, Notification, WithdrawNotification } from '../types/callbacks.js';
import { openCallback, type CallbackBody } from './body.js';
import { MemoryNotificationStore, type NotificationStore } from './dedupe.js';
import { toNotification } from './notification.js';
import { safeReport } from './report.js';
import { textResponse, type CallbackHandler, type CallbackResponse } from './response.js';

/** What a notification callback learns besides the notification itself. */
export interface NotificationContext {
  /** The `app_id` form field (useful when one endpoint serves several merchants). */
  appId: string | undefined;
}

/** A merchant callback: resolve to acknowledge, throw (or reject) to have the service retry. */
export type NotificationCallback<N extends Notification = Notification> = (
  notification: N,
  context: NotificationContext,
) => unknown;

/** Options of createNotificationHandler. */
export interface NotificationHandlerOptions {
  /** The service's public key for this merchant (`rsa_wallet_pub`); parsed once. */
  walletPublicKey: KeyInput;
  /** Called for `side` = "deposit". */
  onDeposit?: NotificationCallback<DepositNotification>;
  /** Called for `side` = "withdraw". */
  onWithdraw?: NotificationCallback<WithdrawNotification>;
  /** Called for every notification, after onDeposit/onWithdraw. */
  onNotification?: NotificationCallback;
  /**
   * Duplicate suppression by `notify_id`: true (default) keeps the last 10,000 ids in memory;
   * a NotificationStore persists them (e.g. in the merchant's database); false turns it off.
   */
  dedupe?: boolean | NotificationStore;
  /**
   * Told why a delivery answered FAILURE (bad body, callback error, store error). The handler
   * never throws, so this is the place to log.
   */
  onError?: (error: unknown, notification: Notification | undefined) => void;
}

/** The merchant's notification endpoint, framework-free; mount it with an adapter. */
export interface NotificationHandler extends CallbackHandler {
  /**
   * Answers 200 text/plain `SUCCESS` when every applicable callback resolved (or the
   * notify_id was already processed), `FAILURE` otherwise, so the service retries.
   */
  handle(body: CallbackBody): Promise<CallbackResponse>;
  /** The dedupe store in use, if any. */
  readonly store: NotificationStore | undefined;
}

const success = 'SUCCESS';
const failure = 'FAILURE';

/**
 * Builds the handler for the merchant's notification URL (API.md §3): decrypts with the
 * wallet public key, dispatches by `side`, and answers SUCCESS/FAILURE. A notify_id is
 * marked as seen only after the callbacks succeeded, so a failed delivery is retried in full;
 * notifications without notify_id (the hosted service) are always delivered, so callbacks
 * must still be idempotent.
 * @throws KeyParseError at construction when the key is unusable; TypeError when no callback is given.
 */
export function createNotificationHandler(options: NotificationHandlerOptions): NotificationHandler {
  const { onDeposit, onWithdraw, onNotification, onError } = options;
  if (!onDeposit && !onWithdraw && !onNotification) {
    throw new TypeError('createNotificationHandler needs onDeposit, onWithdraw or onNotification');
  }
  const walletKey = parsePublicKey(options.walletPublicKey, 'walletPublicKey');
  const dedupe = options.dedupe ?? true;
  const store: NotificationStore | undefined =
    dedupe === true ? new MemoryNotificationStore() : dedupe === false ? undefined : dedupe;
  // Retries can overlap a slow callback (the first retry comes after 1 s): a second delivery
  // of an id still being processed waits for that outcome instead of running the callback twice.
  const inFlight = new Map<string, Promise<boolean>>();

  async function run(notification: Notification, context: NotificationContext): Promise<boolean> {
    try {
      if (notification.side === 'deposit') await onDeposit?.(notification, context);
      else await onWithdraw?.(notification, context);
      await onNotification?.(notification, context);
      return true;
    } catch (error) {
      safeReport(onError, error, notification);
      return false;
    }
  }

  async function runOnce(id: string, notification: Notification, context: NotificationContext, seen: NotificationStore) {
    try {
      if (await seen.has(id)) return true;
    } catch (error) {
      safeReport(onError, error, notification);
      return false;
    }
    const ok = await run(notification, context);
    if (ok) {
      try {
        await seen.add(id);
      } catch (error) {
        // The work is done: answering FAILURE would only make the service deliver it again.
        safeReport(onError, error, notification);
      }
    }
    return ok;
  }

  function deliver(notification: Notification, context: NotificationContext): Promise<boolean> {
    const id = notification.notify_id;
    if (!store || !id) return run(notification, context);
    const pending = inFlight.get(id);
    if (pending) return pending;
    const outcome = runOnce(id, notification, context, store).finally(() => inFlight.delete(id));
    inFlight.set(id, outcome);
    return outcome;
  }

  return {
    store,
    async handle(body) {
      let notification: Notification;
      let context: NotificationContext;
      try {
        const opened = openCallback(body, walletKey);
        notification = toNotification(opened.payload);
        context = { appId: opened.appId };
      } catch (error) {
        safeReport(onError, error, undefined);
        return textResponse(failure);
      }
      return textResponse((await deliver(notification, context)) ? success : failure);
    },
  };
}
