/**
 * Helpers of the kyt-*.test.ts suites: a service context with KYT configured over the money
 * fixtures' database, deposits written as the scanner writes them (status 0), and deposits
 * held the way the scanner holds them (chain −a, suspense +a; docs/chains.md).
 */
import { DepositStatus } from '@openwaas/sdk';
import { kytConfigSchema } from '../../src/config/kyt-config.js';
import type { ServiceContext } from '../../src/context.js';
import { chainAccount, suspenseAccount } from '../../src/modules/chain-sends/index.js';
import { createKytProvider } from '../../src/modules/kyt/index.js';
import { postJournal } from '../../src/modules/ledger/index.js';
import type { CoinRecord } from '../../src/modules/coins/index.js';
import { findDeposit, type DepositRecord } from '../../src/modules/deposits/index.js';
import type { Merchant } from '../../src/store/schema.js';
import { inTransaction } from '../../src/store/tx.js';

/** A copy of `ctx` with the `kyt` setting `kyt` (parsed like the configuration) and its provider. */
export function withKyt(ctx: ServiceContext, kyt: Record<string, unknown>): ServiceContext {
  const config = kytConfigSchema.parse(kyt);
  return { ...ctx, config: { ...ctx.config, kyt: config }, kyt: createKytProvider(config) };
}

let txSeq = 0;

export interface DepositInput {
  merchant: Pick<Merchant, 'id'>;
  uid: number;
  coin: CoinRecord;
  /** Base units. */
  amount: bigint;
  from?: string;
  to?: string;
  createdAt: number;
  /** Default 0 (awaiting confirmations). */
  status?: number;
  /** An internal (alliance) deposit produced by this withdrawal id. */
  withdrawalId?: number;
}

/** Writes a deposit row as the scanner does when it first sees a transfer (no journal at status 0). */
export async function insertDeposit(ctx: ServiceContext, input: DepositInput): Promise<DepositRecord> {
  const seq = ++txSeq;
  const row = await ctx.store.db
    .insertInto('deposits')
    .values({
      merchant_id: Number(input.merchant.id),
      uid: input.uid,
      coin_id: Number(input.coin.id),
      symbol: input.coin.symbol,
      amount: input.amount.toString(),
      address_from: input.from ?? '0x' + '5'.repeat(40),
      address_to: input.to ?? '0x' + seq.toString(16).padStart(40, '0'),
      txid: '0x' + seq.toString(16).padStart(64, '0'),
      tx_index: '0',
      confirmations: 0,
      status: input.status ?? DepositStatus.Confirming,
      to_collection: 0,
      withdrawal_id: input.withdrawalId ?? null,
      created_at: input.createdAt,
      updated_at: input.createdAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return (await findDeposit(ctx.store.db, Number(row.id)))!;
}

/**
 * A confirmed deposit held by KYT at `status` (4, 5 or 6): its value moved chain → suspense,
 * as the scanner posts it for a held deposit.
 */
export async function insertHeldDeposit(ctx: ServiceContext, input: Omit<DepositInput, 'status'> & { status: number; reason?: string }): Promise<DepositRecord> {
  const d = await insertDeposit(ctx, input);
  return inTransaction(ctx.store, async (tx) => {
    const coinId = Number(input.coin.id);
    await postJournal(tx, {
      refType: 'deposit',
      refId: Number(d.id),
      reason: 'deposit.hold',
      postings: [
        { account: chainAccount(coinId), bucket: 'normal', delta: -input.amount },
        { account: suspenseAccount(coinId), bucket: 'normal', delta: input.amount },
      ],
      nowMs: input.createdAt,
    });
    await tx
      .updateTable('deposits')
      .set({ status: input.status, confirmations: input.coin.confirmations, review_reason: input.reason ?? 'held for a test' })
      .where('id', '=', Number(d.id))
      .execute();
    return (await findDeposit(tx, Number(d.id)))!;
  });
}

/** Status of a deposit or withdrawal row. */
export async function statusOf(ctx: ServiceContext, table: 'deposits' | 'withdrawals', id: number): Promise<number> {
  const row = await ctx.store.db.selectFrom(table).select('status').where('id', '=', id).executeTakeFirstOrThrow();
  return row.status;
}

/** Notification payload statuses written for one record, oldest first. */
export async function notifiedStatuses(ctx: ServiceContext, side: 'deposit' | 'withdraw', recordId: number): Promise<string[]> {
  const rows = await ctx.store.db.selectFrom('notifications').select('payload').where('side', '=', side).where('record_id', '=', recordId).orderBy('id').execute();
  return rows.map((r) => (JSON.parse(r.payload) as { status: string }).status);
}
