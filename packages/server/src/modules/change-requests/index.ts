/** Change requests: sensitive admin changes held for a second admin's approval. */
export { changeRequestStates, countPendingChangeRequests, decideChangeRequest, getChangeRequest, listChangeRequests, requestChange, type ChangeDecision, type ChangeRequestState, type ChangeRequestView } from './requests.js';
export { fourEyesEngagedAt, noteFourEyesEngaged } from './engaged.js';
