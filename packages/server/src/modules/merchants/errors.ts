/** The database's secrets are encrypted under another data key than the one unlocked. */
export class DataKeyMismatchError extends Error {
  override name = 'DataKeyMismatchError';
}
