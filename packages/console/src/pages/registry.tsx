/**
 * Every page of the console: its hash path pattern, its title, whether it is in the menu, and
 * the route it needs the operator to be allowed to call (pages an operator cannot read are
 * left out of the menu). Add a page here and it is routed and listed.
 */
import type { ComponentType } from 'react';
import type { OperatorRoute } from '../../../server/src/contracts/operator.js';
import { AuditPage, OperatorAuditPage } from './audit.js';
import { AlertsPage, ChainTxsPage, ChainsPage, SweepsPage } from './chain.js';
import { BlacklistPage, CoinsPage } from './coins.js';
import { KytPage } from './kyt.js';
import { MerchantPage, MerchantsPage } from './merchants.js';
import { NotificationPage, NotificationsPage } from './notifications.js';
import { OverviewPage } from './overview.js';
import { UserPage, UsersPage } from './users.js';
import { ReviewQueuePage, WithdrawalPage, WithdrawalsPage } from './withdrawals.js';
import { DepositPage, DepositsPage } from './deposits.js';
import { AccountPage } from './account.js';
import { operatorPages } from './operators/index.js';

export interface PageEntry {
  pattern: string;
  title: string;
  /** Shown in the menu (detail pages are not). */
  menu: boolean;
  needs: OperatorRoute;
  component: ComponentType<{ params: Record<string, string>; query: URLSearchParams }>;
}

export const pages: PageEntry[] = [
  { pattern: '/', title: 'Overview', menu: true, needs: 'GET /overview', component: OverviewPage },
  { pattern: '/withdrawals', title: 'Withdrawals', menu: true, needs: 'GET /withdrawals', component: WithdrawalsPage },
  { pattern: '/withdrawals/review', title: 'Withdrawals in review', menu: true, needs: 'GET /withdrawals/review', component: ReviewQueuePage },
  { pattern: '/withdrawals/:id', title: 'Withdrawal', menu: false, needs: 'GET /withdrawals/:id', component: WithdrawalPage },
  { pattern: '/deposits', title: 'Deposits', menu: true, needs: 'GET /deposits', component: DepositsPage },
  { pattern: '/deposits/:id', title: 'Deposit', menu: false, needs: 'GET /deposits/:id', component: DepositPage },
  { pattern: '/kyt', title: 'KYT holds', menu: true, needs: 'GET /kyt', component: KytPage },
  { pattern: '/merchants', title: 'Merchants', menu: true, needs: 'GET /merchants', component: MerchantsPage },
  { pattern: '/merchants/:appId', title: 'Merchant', menu: false, needs: 'GET /merchants/:appId', component: MerchantPage },
  { pattern: '/users', title: 'Users', menu: true, needs: 'GET /users', component: UsersPage },
  { pattern: '/users/:uid', title: 'User', menu: false, needs: 'GET /users/:uid', component: UserPage },
  { pattern: '/notifications', title: 'Notifications', menu: true, needs: 'GET /notifications', component: NotificationsPage },
  { pattern: '/notifications/:id', title: 'Notification', menu: false, needs: 'GET /notifications/:id', component: NotificationPage },
  { pattern: '/chains', title: 'Chains', menu: true, needs: 'GET /chains', component: ChainsPage },
  { pattern: '/chain-txs', title: 'Transactions', menu: true, needs: 'GET /chain-txs', component: ChainTxsPage },
  { pattern: '/sweeps', title: 'Sweeps', menu: true, needs: 'GET /sweeps', component: SweepsPage },
  { pattern: '/alerts', title: 'Alerts', menu: true, needs: 'GET /alerts', component: AlertsPage },
  { pattern: '/audit', title: 'Audit', menu: true, needs: 'POST /audit', component: AuditPage },
  { pattern: '/audit/operators', title: 'Audit trail', menu: true, needs: 'GET /audit/operators', component: OperatorAuditPage },
  { pattern: '/coins', title: 'Coins', menu: true, needs: 'GET /coins', component: CoinsPage },
  { pattern: '/blacklist', title: 'Blacklist', menu: true, needs: 'GET /blacklist', component: BlacklistPage },
  { pattern: '/account', title: 'Account', menu: false, needs: 'GET /auth/me', component: AccountPage },
  ...operatorPages,
];
