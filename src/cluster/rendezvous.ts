/**
 * Rendezvous (highest random weight) hashing: every node computes the same route for a key from
 * the same set of live routes, and when a node leaves only the keys it owned move. Used to pick
 * the `<route>` of `AUTH_SESSION_ID`, a hint for the load balancer and never a requirement.
 */
import { createHash } from 'node:crypto';

function weight(key: string, route: string): bigint {
  return createHash('sha256').update(route).update('\0').update(key).digest().readBigUInt64BE(0);
}

/** The route with the highest weight for `key`; undefined when there is no route. */
export function rendezvousRoute(key: string, routes: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestWeight = -1n;
  for (const route of routes) {
    const w = weight(key, route);
    if (w > bestWeight || (w === bestWeight && best !== undefined && route < best)) {
      best = route;
      bestWeight = w;
    }
  }
  return best;
}
