/** Operators: the people who run the service, their roles. */
export { operatorRoles, type Actor, type OperatorRole } from './actor.js';
