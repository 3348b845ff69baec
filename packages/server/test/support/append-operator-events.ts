/**
 * A process appending to the operator audit trail: `node … append-operator-events.ts <database
 * url> <operator id> <count>` records <count> events as that operator, several at once, then
 * exits 0. Tests start two of these on one database to show the chain never forks.
 */
import { recordOperatorEvent } from '../../src/modules/operator-audit/index.js';
import { openStore } from '../../src/store/db.js';

const [url, operator, count] = process.argv.slice(2);
const operatorId = Number(operator);
const store = openStore(url);
const inFlight = 4;
try {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < Number(count); i = next++) {
      await recordOperatorEvent(store.db, {
        actor: { operatorId, name: `operator-${operatorId}`, roles: ['admin'], sourceIp: `10.0.0.${operatorId}` },
        action: 'test.append',
        target: `/things/${operatorId}-${i}`,
        after: { i },
        outcome: 'done',
        nowMs: Date.now(),
      });
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
} finally {
  await store.close();
}
