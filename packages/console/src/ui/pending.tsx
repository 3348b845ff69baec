/** A four-eyed change that waits: what the page says instead of "done", with a link to the change request. */
import type { ChangeRequestView } from '../../../server/src/contracts/operator.js';
import { href } from '../routing.js';

export function WaitingForSecondAdmin({ request }: { request: ChangeRequestView }) {
  return (
    <p className="pending" role="status">
      Waiting for a second admin: <a href={href(`/operators/changes/${request.id}`)}>change request #{request.id}</a> ({request.kind} of {request.target}).
    </p>
  );
}
