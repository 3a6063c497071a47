/**
 * Deletes events older than their realm keeps them: `eventsExpiration` for user events and the
 * realm attribute `adminEventsExpiration` (Keycloak 26's name) for admin events, both in seconds.
 * Bounded batches with a pause for requests between them; run as a singleton job, one node at a
 * time, and correct if two runs overlap (deletes by age are idempotent).
 */
import { setImmediate as yieldToRequests } from 'node:timers/promises';
import type { Clock } from '../clock/index.ts';
import type { RealmRepository } from '../realm/index.ts';
import type { EventStore } from './event-store.ts';

const BATCH = 1000;
/** Per realm and kind per run; the rest waits for the next run. */
const MAX_BATCHES = 100;

async function deleteInBatches(remove: (limit: number) => Promise<number>): Promise<number> {
  let total = 0;
  for (let batch = 0; batch < MAX_BATCHES; batch++) {
    const removed = await remove(BATCH);
    total += removed;
    if (removed < BATCH) break;
    await yieldToRequests();
  }
  return total;
}

/** One pass over every realm; returns how many events it deleted. */
export async function removeExpiredEvents(store: EventStore, realms: RealmRepository, clock: Clock): Promise<number> {
  const now = clock.nowMs();
  let removed = 0;
  for (const realm of await realms.listRealms()) {
    const userSeconds = realm.settings.eventsExpiration ?? 0;
    if (userSeconds > 0) removed += await deleteInBatches((limit) => store.deleteEventsBefore(realm.id, now - userSeconds * 1000, limit));
    const adminSeconds = Number(realm.settings.attributes.adminEventsExpiration ?? 0);
    if (Number.isSafeInteger(adminSeconds) && adminSeconds > 0) {
      removed += await deleteInBatches((limit) => store.deleteAdminEventsBefore(realm.id, now - adminSeconds * 1000, limit));
    }
  }
  return removed;
}
