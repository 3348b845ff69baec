/** The two databases the service runs on: SQLite (embedded default) and PostgreSQL (production). */
export type DialectName = 'sqlite' | 'postgres';
