/**
 * Policies: approval policies (how many distinct reviewers a withdrawal under review needs) and
 * spending policies (velocity limits, destination allowlists, the cool-down of a first payment
 * to an address) with the decision they take on a new withdrawal. Owns the approval_policies,
 * velocity_limits, velocity_locks, destination_settings and allowlisted_destinations tables.
 */
export {
  approvalRequirementFor,
  clearApprovalPolicy,
  defaultApprovalRequirement,
  listApprovalPolicies,
  setApprovalPolicy,
  type ApprovalPolicyView,
  type ApprovalRequirement,
} from './approval-policy.js';
export {
  addAllowlistedDestination,
  clearDestinationSettings,
  listAllowlist,
  listDestinationSettings,
  removeAllowlistedDestination,
  setDestinationSettings,
  type AllowlistEntryView,
  type DestinationSettingsView,
} from './destinations.js';
export { decideSpending, describeHit, type PolicyHit, type SpendingHistory } from './spending-decision.js';
export { clearVelocityLimit, listVelocityLimits, setVelocityLimit, velocityScopes, type VelocityLimitView, type VelocityScope } from './velocity.js';
