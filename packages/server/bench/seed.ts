/**
 * Seeds a fresh database for the API bench through the domain functions (the same ones the
 * `openwaas` CLI uses), before the server process starts: coins, one merchant with the bench's
 * key pair and confirmation URL, users with balances (journaled credits), and deposit rows
 * inserted directly so a 100-record syncDepositList page is full.
 */
import { randomBytes } from 'node:crypto';
import { adjustBalance } from '../src/modules/ledger/index.js';
import { systemClock } from '../src/clock.js';
import { setMerchantCoin, upsertCoin, type CoinInput } from '../src/modules/coins/index.js';
import { createMerchant } from '../src/modules/merchants/index.js';
import { createUserByEmail } from '../src/modules/merchants/index.js';
import { openStore } from '../src/store/db.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { inTransaction } from '../src/store/tx.js';
import { fixedDataKey, insecureDevDataKey } from '../src/keys/data-key.js';


export interface SeedInput {
  databaseUrl: string;
  merchantPublicKeyPem: string;
  confirmUrl: string;
  users: number;
  /** Credited to each user, in ETH. */
  balance: string;
  deposits: number;
}

export interface Seeded {
  appId: string;
  walletPublicKeyPem: string;
  uids: number[];
  deposits: number;
  symbol: string;
}

/** Auto-approved up to 10 ETH, no daily limit: a bench withdrawal goes straight to status 1 (paying). */
const benchCoins: Array<Omit<CoinInput, 'nowMs'>> = [
  { symbol: 'ETH', name: 'Ether', chain: 'evm:31337', decimals: 18, confirmations: 1, minWithdraw: '0.001', maxWithdraw: '100', withdrawFee: '0.0005', autoApproveMax: '10', dailyLimit: '0' },
  { symbol: 'USDT', name: 'Tether USD', chain: 'evm:31337', baseSymbol: 'ETH', contractAddress: '0x5fbdb2315678afecb367f032d93f642f64180aa3', decimals: 6, confirmations: 1, minWithdraw: '1', maxWithdraw: '100000', withdrawFee: '1', autoApproveMax: '10000' },
];

const depositBatch = 200;
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

export async function seed(input: SeedInput): Promise<Seeded> {
  const store = openStore(input.databaseUrl);
  const ctx = { store, clock: systemClock };
  try {
    await migrateToLatest(store);
    const db = store.db;
    const nowMs = Date.now();
    const coins = [];
    for (const c of benchCoins) coins.push(await upsertCoin(db, { ...c, nowMs }));
    const eth = coins[0]!;

    // The bench's serve runs on development keys (OPENWAAS_INSECURE_DEV_KEYS=1): the same data key.
    const merchant = await createMerchant(db, fixedDataKey(insecureDevDataKey()), { name: 'Bench Merchant', merchantPublicKey: input.merchantPublicKeyPem, confirmUrl: input.confirmUrl, nowMs });
    for (const coin of coins) await setMerchantCoin(db, Number(merchant.id), Number(coin.id), true);

    const users = await inTransaction(store, async (tx) => {
      const out = [];
      for (let i = 0; i < input.users; i++) out.push(await createUserByEmail(tx, merchant, { email: `bench-user-${i}@example.test`, nowMs }));
      return out;
    });
    const uids = users.map((u) => Number(u.id));
    for (const uid of uids) {
      await adjustBalance(ctx, { target: { uid }, symbol: eth.symbol, amount: input.balance, direction: 'credit', reason: 'API bench funding', actor: { operatorId: 0, name: 'bench' } });
    }

    // Credited deposits (status 1) as the chain watcher would have recorded them.
    await inTransaction(store, async (tx) => {
      for (let start = 0; start < input.deposits; start += depositBatch) {
        const rows = [];
        for (let i = start; i < Math.min(input.deposits, start + depositBatch); i++) {
          const at = nowMs - (input.deposits - i) * 1000;
          rows.push({
            merchant_id: Number(merchant.id),
            uid: uids[i % uids.length]!,
            coin_id: Number(eth.id),
            symbol: eth.symbol,
            amount: (BigInt(i + 1) * 1_234_567_000_000_000n).toString(),
            address_from: `0x${hex(20)}`,
            address_to: `0x${hex(20)}`,
            txid: `0x${hex(32)}`,
            tx_index: '0',
            confirmations: 12,
            status: 1,
            to_collection: 0,
            withdrawal_id: null,
            created_at: at,
            updated_at: at + 60_000,
          });
        }
        await tx.insertInto('deposits').values(rows).execute();
      }
    });
    const { count } = await db
      .selectFrom('deposits')
      .select((eb) => eb.fn.countAll<number | string>().as('count'))
      .where('merchant_id', '=', Number(merchant.id))
      .executeTakeFirstOrThrow();

    return { appId: merchant.app_id, walletPublicKeyPem: merchant.wallet_public_key, uids, deposits: Number(count), symbol: eth.symbol };
  } finally {
    await store.close();
  }
}
