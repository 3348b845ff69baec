/** The seen_envelopes table: the only SQL that touches it. */
import type { Db } from '../../store/tx.js';

/** Inserts a seen envelope unless (merchant, digest) is already there; true when this call inserted it. */
export async function insertSeenEnvelope(db: Db, input: { merchantId: number; digest: string; endpoint: string; nowMs: number; expiresAtMs: number }): Promise<boolean> {
  const inserted = await db
    .insertInto('seen_envelopes')
    .values({ merchant_id: input.merchantId, digest: input.digest, endpoint: input.endpoint, expires_at: input.expiresAtMs, created_at: input.nowMs })
    .onConflict((oc) => oc.columns(['merchant_id', 'digest']).doNothing())
    .executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0;
}

/** The endpoint that first recorded (merchant, digest), or undefined when no row is there. */
export async function seenEnvelopeEndpoint(db: Db, key: { merchantId: number; digest: string }): Promise<string | undefined> {
  const row = await db.selectFrom('seen_envelopes').select('endpoint').where('merchant_id', '=', key.merchantId).where('digest', '=', key.digest).executeTakeFirst();
  return row?.endpoint;
}

/** Deletes up to `batchSizeMax` rows expired at `nowMs`; returns how many went. */
export async function pruneSeenEnvelopes(db: Db, input: { nowMs: number; batchSizeMax: number }): Promise<number> {
  const result = await db
    .deleteFrom('seen_envelopes')
    .where((eb) =>
      eb(
        eb.refTuple('merchant_id', 'digest'),
        'in',
        eb.selectFrom('seen_envelopes').select(['merchant_id', 'digest']).where('expires_at', '<', input.nowMs).limit(input.batchSizeMax).$asTuple('merchant_id', 'digest'),
      ),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Rows held now, expired or not (the bench and the tests watch the bound). */
export async function countSeenEnvelopes(db: Db, filter: { expiredAtMs?: number } = {}): Promise<number> {
  let query = db.selectFrom('seen_envelopes').select((eb) => eb.fn.countAll<number | string>().as('n'));
  if (filter.expiredAtMs !== undefined) query = query.where('expires_at', '<', filter.expiredAtMs);
  const row = await query.executeTakeFirstOrThrow();
  return Number(row.n);
}
