/**
 * The SQL store's kept session counts: `session_count`, a realm's user sessions per kind
 * (migration 021), and `client_session_count`, a client's client sessions per kind (migration
 * 031). Both are split into slots by the user session's id, so concurrent logins seldom wait on
 * the same row in PostgreSQL; a count is the sum of its slots.
 *
 * A transaction that adds or removes sessions collects its changes in a `CountChanges` and
 * applies them as its last statements, one row at a time in key order. Every writer therefore
 * takes count-row locks after all its session-row locks and in one global order, so keeping the
 * counts cannot deadlock two writers, however many sessions and clients each one touches.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema.ts';

const COUNT_SLOTS = 16;

function countSlot(sessionId: string): number {
  let hash = 0;
  for (let i = 0; i < sessionId.length; i++) hash = (hash * 31 + sessionId.charCodeAt(i)) | 0;
  return Math.abs(hash) % COUNT_SLOTS;
}

interface RealmSlot {
  realmId: string;
  offline: number;
  slot: number;
  delta: number;
}

interface ClientSlot extends RealmSlot {
  clientUuid: string;
}

const inKeyOrder = <T>(slots: Map<string, T>): T[] => [...slots.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, slot]) => slot);

export class CountChanges {
  private readonly realms = new Map<string, RealmSlot>();
  private readonly clients = new Map<string, ClientSlot>();

  /** A user session of the realm was added (+1) or removed (-1). */
  userSession(realmId: string, offline: number, sessionId: string, delta: number): void {
    const slot = countSlot(sessionId);
    const key = `${realmId}\u0000${offline}\u0000${slot}`;
    const entry = this.realms.get(key) ?? { realmId, offline, slot, delta: 0 };
    entry.delta += delta;
    this.realms.set(key, entry);
  }

  /** A client session of the client was added (+1) or removed (-1) in the user session `sessionId`. */
  clientSession(realmId: string, clientUuid: string, offline: number, sessionId: string, delta: number): void {
    const slot = countSlot(sessionId);
    const key = `${realmId}\u0000${clientUuid}\u0000${offline}\u0000${slot}`;
    const entry = this.clients.get(key) ?? { realmId, clientUuid, offline, slot, delta: 0 };
    entry.delta += delta;
    this.clients.set(key, entry);
  }

  /** Writes the changes in the caller's transaction, realm rows first, each table in key order. */
  async apply(tx: Kysely<Database> | Transaction<Database>): Promise<void> {
    for (const { realmId, offline, slot, delta } of inKeyOrder(this.realms)) {
      if (delta === 0) continue;
      await tx
        .insertInto('session_count')
        .values({ realm_id: realmId, offline, slot, count: delta })
        .onConflict((oc) => oc.columns(['realm_id', 'offline', 'slot']).doUpdateSet({ count: sql`session_count.count + ${delta}` }))
        .execute();
    }
    for (const { realmId, clientUuid, offline, slot, delta } of inKeyOrder(this.clients)) {
      if (delta === 0) continue;
      await tx
        .insertInto('client_session_count')
        .values({ realm_id: realmId, client_uuid: clientUuid, offline, slot, count: delta })
        .onConflict((oc) => oc.columns(['realm_id', 'client_uuid', 'offline', 'slot']).doUpdateSet({ count: sql`client_session_count.count + ${delta}` }))
        .execute();
    }
    this.realms.clear();
    this.clients.clear();
  }
}
