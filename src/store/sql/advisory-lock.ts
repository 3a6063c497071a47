/**
 * PostgreSQL advisory locks, named by strings. A lock is held by one database session, so it is
 * released by PostgreSQL itself when the holding process dies and its connection closes: nothing
 * ever needs to be unlocked by hand after a crash. Keys are two int4 values: a fixed namespace
 * for holdfast and a hash of the name, so they do not collide with other applications' locks.
 */
import { createHash } from 'node:crypto';
import { primaryLocator } from './postgres-primary.ts';

/** 'hold' in ASCII: the first key of every holdfast advisory lock. */
const NAMESPACE = 0x686f6c64;

export function advisoryKey(name: string): [number, number] {
  return [NAMESPACE, createHash('sha256').update(name).digest().readInt32BE(0)];
}

/**
 * Runs `work` while holding the named lock on a connection of its own, waiting for another
 * node that holds it. The connection (and with it the lock) is closed afterwards, even on failure.
 */
export async function withAdvisoryLock<T>(url: string, name: string, work: () => Promise<T>): Promise<T> {
  const client = await (await primaryLocator(url)).connect({ application_name: 'holdfast-lock', connectionTimeoutMillis: 10_000 });
  // A connection lost while waiting is reported by the query; this only keeps the process alive.
  client.on('error', () => {});
  try {
    await client.query('SELECT pg_advisory_lock($1, $2)', advisoryKey(name));
    try {
      return await work();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, $2)', advisoryKey(name)).catch(() => undefined);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}
