import type { ServiceContext } from '../../context.js';

/** What operator actions on notifications need; the notifier is woken after a resend. */
export type NotificationAdminContext = Pick<ServiceContext, 'store' | 'clock' | 'notifier'>;

/** What asking a merchant to confirm a withdrawal or transfer needs: its sealed request, the data key of its wallet key, the clock, the timeout. */
export type ConfirmationDeps = Pick<ServiceContext, 'log' | 'clock' | 'sealer' | 'secrets' | 'config'>;
