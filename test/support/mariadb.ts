/**
 * A throwaway database on the MariaDB server this machine runs (127.0.0.1:3306, root without a
 * password), created under a fresh name and dropped afterwards, and read-only users on it, for the
 * Keycloak-on-MariaDB migration test.
 */
import crypto from 'node:crypto';
import mysql from 'mysql2/promise';
import type { FreshDatabase } from './postgres.ts';

export const MARIADB_HOST = '127.0.0.1:3306';

async function asRoot<T>(work: (connection: mysql.Connection) => Promise<T>): Promise<T> {
  const connection = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '', connectTimeout: 5000 });
  try {
    return await work(connection);
  } finally {
    await connection.end();
  }
}

export async function freshMariaDbDatabase(prefix = 'holdfast_test'): Promise<FreshDatabase> {
  const name = `${prefix}_${crypto.randomBytes(6).toString('hex')}`;
  await asRoot((c) => c.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`));
  return {
    name,
    url: `mariadb://root@${MARIADB_HOST}/${name}`,
    async drop() {
      await asRoot((c) => c.query(`DROP DATABASE IF EXISTS ${name}`));
    },
  };
}

/** A user that may only SELECT from `database`; `drop()` removes it. */
export async function readOnlyMariaDbUser(database: string): Promise<{ url: string; drop(): Promise<void> }> {
  const user = `hf_ro_${crypto.randomBytes(4).toString('hex')}`;
  const password = crypto.randomBytes(12).toString('hex');
  await asRoot(async (c) => {
    await c.query(`CREATE USER '${user}'@'127.0.0.1' IDENTIFIED BY '${password}'`);
    await c.query(`GRANT SELECT ON ${database}.* TO '${user}'@'127.0.0.1'`);
  });
  return {
    url: `mariadb://${user}:${password}@${MARIADB_HOST}/${database}`,
    async drop() {
      await asRoot((c) => c.query(`DROP USER IF EXISTS '${user}'@'127.0.0.1'`));
    },
  };
}
