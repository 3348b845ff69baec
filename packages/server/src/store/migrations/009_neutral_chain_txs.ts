import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * chain_txs family-neutral: a row holds the payment (recipient, token, amount), the most its
 * fees can cost (fee_max), the sender's sequence and the family's own terms as text the family
 * serialises (`terms`; EVM: JSON of gas_limit, max_fee_per_gas, max_priority_fee_per_gas and,
 * once mined, gas_used). chain_nonces becomes chain_sequences.
 *
 * Every row before this migration is an EVM transaction. A token transfer stored the token
 * contract as to_address, 0 as value and the ERC-20 transfer(address,uint256) call as data: its
 * recipient and amount are read back from that call. Rows are converted one by one (JavaScript
 * does the 256-bit arithmetic on both databases), then the EVM columns go.
 */

/** transfer(address,uint256): selector, then the recipient and the amount in 32-byte words. */
const transferSelector = '0xa9059cbb';
const transferCallLength = 2 + 8 + 64 + 64;

interface OldRow {
  id: number | string;
  to_address: string;
  value: string;
  data: string;
  gas_limit: string;
  max_fee_per_gas: string;
  max_priority_fee_per_gas: string;
  gas_used: string;
  state: string;
}

/** The neutral columns of one pre-migration row. */
export function neutralChainTxColumns(row: OldRow): { to_address: string; token: string; value: string; fee_max: string; terms: string } {
  const gasLimit = BigInt(row.gas_limit);
  const maxFeePerGas = BigInt(row.max_fee_per_gas);
  const stored: Record<string, string> = { gas_limit: gasLimit.toString(), max_fee_per_gas: maxFeePerGas.toString(), max_priority_fee_per_gas: BigInt(row.max_priority_fee_per_gas).toString() };
  // gas_used is 0 until the transaction is in a block.
  if (BigInt(row.gas_used) > 0n) stored.gas_used = BigInt(row.gas_used).toString();
  const base = { fee_max: (gasLimit * maxFeePerGas).toString(), terms: JSON.stringify(stored) };
  // Hex as viem wrote it (lower case), like the canonical addresses of these rows.
  const data = row.data;
  if (data === '0x' || data === '') return { ...base, to_address: row.to_address, token: '', value: BigInt(row.value).toString() };
  if (!data.startsWith(transferSelector) || data.length !== transferCallLength) throw new Error(`chain_txs row ${row.id}: call data is not an ERC-20 transfer; it cannot be made neutral`);
  const recipient = `0x${data.slice(2 + 8 + 24, 2 + 8 + 64)}`;
  const amount = BigInt(`0x${data.slice(2 + 8 + 64)}`);
  return { ...base, to_address: recipient, token: row.to_address, value: amount.toString() };
}

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const pg = dialect === 'postgres';
  const amount = pg ? sql`numeric(78, 0)` : sql`text`;

  await db.schema.alterTable('chain_txs').addColumn('token', 'text', (c: any) => c.notNull().defaultTo('')).execute();
  await db.schema.alterTable('chain_txs').addColumn('fee_max', amount, (c: any) => c.notNull().defaultTo('0')).execute();
  await db.schema.alterTable('chain_txs').addColumn('terms', 'text', (c: any) => c.notNull().defaultTo('{}')).execute();

  const rows = (await db
    .selectFrom('chain_txs')
    .select(['id', 'to_address', 'value', 'data', 'gas_limit', 'max_fee_per_gas', 'max_priority_fee_per_gas', 'gas_used', 'state'])
    .orderBy('id')
    .execute()) as OldRow[];
  for (const row of rows) {
    const neutral = neutralChainTxColumns(row);
    await db.updateTable('chain_txs').set(neutral).where('id', '=', row.id).execute();
  }

  await db.schema.dropIndex('chain_txs_nonce_idx').execute();
  await db.schema.alterTable('chain_txs').renameColumn('nonce', 'sequence').execute();
  for (const column of ['data', 'gas_limit', 'max_fee_per_gas', 'max_priority_fee_per_gas', 'gas_used']) {
    await db.schema.alterTable('chain_txs').dropColumn(column).execute();
  }
  await db.schema.createIndex('chain_txs_sequence_idx').on('chain_txs').columns(['chain', 'from_address', 'sequence']).execute();

  await db.schema.alterTable('chain_nonces').renameTo('chain_sequences').execute();
  await db.schema.alterTable('chain_sequences').renameColumn('next_nonce', 'next_sequence').execute();
}
