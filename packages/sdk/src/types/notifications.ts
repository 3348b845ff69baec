/**
 * The merchant's delivery log (an extension of this service, docs/api-extensions.md): its own
 * recent notifications, each with every delivery attempt and its result.
 */

/** ext/notifications/list: the merchant's notifications with `notify_id` above `after_id`, oldest first. */
export interface NotificationListRequest {
  /** Only notifications whose notify_id is above this (paging; default 0). */
  after_id?: string | number;
  /** At most this many (1–100, default 100). */
  limit?: string | number;
  /** Only those in this delivery state. */
  state?: 'pending' | 'delivered' | 'failed';
}

/** ext/notifications/resend: deliver one of the merchant's notifications again, now. */
export interface NotificationResendRequest {
  notify_id: string | number;
}

/** One delivery attempt of a notification. */
export interface NotificationAttempt {
  /** 1, 2, … over the notification's life (a resend goes on counting). */
  attempt: string;
  /** When it was made (ms timestamp). */
  at: string;
  /** Your endpoint's HTTP status; '' when no answer came (refused, timed out). */
  http_status: string;
  /** The first bytes of your endpoint's answer. */
  answer_excerpt: string;
  /** Why it counted as failed; '' when delivered. */
  error: string;
  duration_ms: string;
}

/** One notification of the delivery log; every scalar a string, as in the rest of the API. */
export interface MerchantNotification {
  notify_id: string;
  side: 'deposit' | 'withdraw';
  /** The deposit's or withdrawal's id. */
  id: string;
  /** pending (not delivered yet, retried on the schedule), delivered, or failed (schedule exhausted). */
  state: 'pending' | 'delivered' | 'failed';
  attempts: string;
  /** When the next attempt is due (ms timestamp), for a pending one. */
  next_attempt_at: string;
  last_error: string;
  created_at: string;
  /** '' until delivered. */
  delivered_at: string;
  /** The notification's fields as they are sent. */
  payload: Record<string, string>;
  attempts_log: NotificationAttempt[];
}
