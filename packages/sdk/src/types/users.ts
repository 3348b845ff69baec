/** #1 `/user/createUser`: register a user by phone. */
export interface CreateUserRequest {
  /** Country calling code without "+", e.g. "86". */
  country: string;
  /** Mobile number. */
  mobile: string;
}

/** #2 `/user/registerEmail`: register a user by email or any unique account string (≤ 100 chars). */
export interface RegisterEmailRequest {
  email: string;
}

/** Answer of #1 and #2. */
export interface UidResponse {
  uid: number;
}

/** #3 `/user/info`: look a user up by phone or email. */
export type UserInfoRequest = { country: string; mobile: string } | { email: string };

/** Answer of #3. */
export interface UserInfoResponse {
  uid: number;
  nickname: string;
  [extra: string]: unknown;
}

/** #18 `/user/syncList` record. */
export interface UserRecord {
  uid: number;
  nickname: string;
  mobile: string;
  country: string;
  email: string;
  /** Milliseconds since the epoch. */
  created_at: number;
}
