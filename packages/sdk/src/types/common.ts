/** Fields the client fills in on every request (API.md §1). */
export interface CommonRequestFields {
  /** Milliseconds since the epoch. */
  time: number | string;
  /** "utf-8". */
  charset: string;
  /** "v2". */
  version: string;
}

/** The decrypted response body: `code` "0" is success. */
export interface ResponseEnvelope<T> {
  code: string;
  msg: string;
  data?: T;
}

/** A decimal amount as on the wire, e.g. "0.0002". Never a float: the service refuses an amount sent as a JSON number (100004). */
export type DecimalString = string;

/** Request of the three `sync…List` endpoints: records with id > `max_id`, 100 at most. */
export interface SyncListRequest {
  /** Return records with a greater id; "0" for the first page. */
  max_id: number | string;
}

/** Request of the by-id list endpoints. */
export interface IdsRequest {
  /**
   * Comma-separated ids, 100 at most (an array is joined for you). Spaces around a "," are
   * allowed; each id is matched exactly (case included), and an empty one is refused (100004).
   */
  ids: string | ReadonlyArray<string | number>;
}
