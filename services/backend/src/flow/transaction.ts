import type pg from 'pg';

/** What the flow and metric queries run on: the pool, or a client inside a transaction (`withTransaction` in @tributary/db). */
export type Queryable = pg.Pool | pg.PoolClient;
