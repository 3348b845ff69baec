/** Operators: the people who run the service, their accounts, roles, logins and tokens. */
export { operatorRoles, type Actor, type OperatorRole } from './actor.js';
export { addOperator, disableOperator, findOperator, listOperators, resetOperator, setOperatorRoles, type OperatorEnrolment, type OperatorView } from './accounts.js';
export type { AccountDeps, OperatorDeps, OperatorReadDeps } from './deps.js';
export { isOperatorRole, roleAllows } from './roles.js';
export {
  authenticateToken,
  createApiToken,
  listApiTokens,
  lockoutMs,
  login,
  LoginRefused,
  logout,
  revokeApiToken,
  type ApiTokenView,
  type AuthFailure,
  type IssuedToken,
  type LoginResult,
} from './sessions.js';
export { adminExists, enabledAdmins } from './bootstrap.js';
export { onAuthFailure, reportAuthFailure } from './auth-failures.js';
export { hashPassword, verifyPassword } from './passwords.js';
export { base32Decode, base32Encode, hotp, matchTotp, otpauthUri, totpStep } from './totp.js';
