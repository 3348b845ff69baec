/** The admin pages of operator accounts, tokens, change requests and policies (one entry each in the page table). */
import type { PageEntry } from '../registry.js';
import { OperatorsPage } from './accounts.js';
import { ChangeRequestPage, ChangeRequestsPage } from './changes.js';
import { PoliciesPage } from './policies.js';
import { TokensPage } from './tokens.js';

export const operatorPages: PageEntry[] = [
  { pattern: '/operators', title: 'Operators', menu: true, needs: 'GET /operators', component: OperatorsPage },
  { pattern: '/operators/tokens', title: 'API tokens', menu: true, needs: 'GET /operator-tokens', component: TokensPage },
  { pattern: '/operators/changes', title: 'Change requests', menu: true, needs: 'GET /change-requests', component: ChangeRequestsPage },
  { pattern: '/operators/changes/:id', title: 'Change request', menu: false, needs: 'GET /change-requests/:id', component: ChangeRequestPage },
  { pattern: '/policies', title: 'Policies', menu: true, needs: 'GET /policies', component: PoliciesPage },
];
