/**
 * Every page of the console: its hash path pattern, its title, whether it is in the menu, and
 * the route it needs the operator to be allowed to call (pages an operator cannot read are
 * left out of the menu). Add a page here and it is routed and listed.
 */
import type { ComponentType } from 'react';
import type { OperatorRoute } from '../../../server/src/contracts/operator.js';
import { KytPage } from './kyt.js';
import { OverviewPage } from './overview.js';
import { ReviewQueuePage, WithdrawalPage } from './withdrawals.js';

export interface PageEntry {
  pattern: string;
  title: string;
  /** Shown in the menu (detail pages are not). */
  menu: boolean;
  needs: OperatorRoute;
  component: ComponentType<{ params: Record<string, string>; query: URLSearchParams }>;
}

export const pages: PageEntry[] = [
  { pattern: '/', title: 'Overview', menu: true, needs: 'GET /chains', component: OverviewPage },
  { pattern: '/withdrawals', title: 'Withdrawals', menu: true, needs: 'GET /withdrawals/review', component: ReviewQueuePage },
  { pattern: '/withdrawals/:id', title: 'Withdrawal', menu: false, needs: 'GET /withdrawals/:id', component: WithdrawalPage },
  { pattern: '/kyt', title: 'KYT holds', menu: true, needs: 'GET /kyt', component: KytPage },
];
