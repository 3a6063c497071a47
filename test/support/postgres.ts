/**
 * A throwaway PostgreSQL database on the server this machine runs (127.0.0.1:5432, trust auth),
 * created under a fresh name and dropped afterwards, so tests never share state.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import pg from 'pg';

export const PG_HOST = '127.0.0.1:5432';

export interface FreshDatabase {
  name: string;
  url: string;
  /** Drops the database, ending whatever connections are left on it. */
  drop(): Promise<void>;
}

/** Creates a database as `postgres` or as the OS user, whichever the server trusts; throws with both reasons if neither. */
export async function freshDatabase(prefix = 'holdfast_test'): Promise<FreshDatabase> {
  const failures: string[] = [];
  for (const user of new Set(['postgres', os.userInfo().username])) {
    const admin = new pg.Client({ connectionString: `postgres://${user}@${PG_HOST}/postgres`, connectionTimeoutMillis: 2000 });
    try {
      await admin.connect();
    } catch (error) {
      failures.push(`${user}: ${(error as Error).message}`);
      continue;
    }
    const name = `${prefix}_${crypto.randomBytes(6).toString('hex')}`;
    try {
      await admin.query(`CREATE DATABASE ${name}`);
    } finally {
      await admin.end();
    }
    return {
      name,
      url: `postgres://${user}@${PG_HOST}/${name}`,
      async drop() {
        const client = new pg.Client({ connectionString: `postgres://${user}@${PG_HOST}/postgres`, connectionTimeoutMillis: 2000 });
        await client.connect();
        try {
          // A pool that has just closed may still have sockets leaving: wait for them a little,
          // since FORCE would cut them mid-close; only connections truly left behind get FORCE.
          for (let attempt = 1; attempt <= 20; attempt += 1) {
            try {
              await client.query(`DROP DATABASE IF EXISTS ${name}`);
              return;
            } catch {
              await new Promise((resolve) => setTimeout(resolve, 100));
            }
          }
          await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        } finally {
          await client.end();
        }
      },
    };
  }
  throw new Error(`PostgreSQL on ${PG_HOST} is not reachable: ${failures.join('; ')}`);
}
