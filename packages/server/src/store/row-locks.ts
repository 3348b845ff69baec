import { OperationNodeTransformer, type KyselyPlugin, type PluginTransformQueryArgs, type PluginTransformResultArgs, type QueryResult, type RootOperationNode, type SelectQueryNode, type UnknownRow } from 'kysely';

/** Row-lock clauses of a SELECT (FOR UPDATE and its relatives). */
const rowLockModifiers = new Set(['ForUpdate', 'ForNoKeyUpdate', 'ForShare', 'ForKeyShare', 'NoWait', 'SkipLocked']);

class DropRowLocks extends OperationNodeTransformer {
  protected override transformSelectQuery(node: SelectQueryNode): SelectQueryNode {
    const out = super.transformSelectQuery(node);
    if (!out.endModifiers?.some((m) => m.modifier !== undefined && rowLockModifiers.has(m.modifier))) return out;
    return { ...out, endModifiers: out.endModifiers.filter((m) => m.modifier === undefined || !rowLockModifiers.has(m.modifier)) };
  }
}

/**
 * Repositories lock the rows they are about to change with `.forUpdate()` (and `.skipLocked()`)
 * whatever the database. PostgreSQL needs the lock; SQLite has no such clause and needs none,
 * since its single writer (BEGIN IMMEDIATE) already serialises transactions, so on SQLite this
 * plugin removes the clause. The one place the dialect decides locking.
 */
export class SqliteRowLocksPlugin implements KyselyPlugin {
  readonly #transformer = new DropRowLocks();
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.#transformer.transformNode(args.node);
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}
