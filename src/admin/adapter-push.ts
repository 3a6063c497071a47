/**
 * Keycloak pushes admin requests (`k_push_not_before`, `k_test_available`) to the adapters of
 * clients with an `adminUrl`, and to each cluster node they registered. holdfast sends none:
 * Keycloak's Java adapters that would receive them are end-of-life, and revocation here works
 * without them (tokens issued before a `notBefore` are refused by introspection and userinfo).
 * So the endpoints that would push answer Keycloak's GlobalRequestResult with every target it
 * would have contacted in `failedRequests`, never claiming a success it did not have.
 */
import type { Client } from '../realm/index.ts';

/** The client's admin URL as Keycloak resolves it: relative to `rootUrl` when it is relative. */
function managementUrl(client: Client): string | undefined {
  const admin = client.adminUrl?.trim();
  if (!admin) return undefined;
  if (/^[a-z][a-z0-9+.-]*:/i.test(admin) || client.rootUrl === undefined) return admin;
  return `${client.rootUrl.replace(/\/+$/, '')}${admin.startsWith('/') ? '' : '/'}${admin}`;
}

/** Registered cluster nodes of a client: node host → registration time (seconds). */
export function registeredNodes(client: Client): Record<string, number> {
  return client.registeredNodes ?? {};
}

/** Every URL a push to this client would go to: one per registered node, else the admin URL. */
export function pushTargets(client: Client): string[] {
  const url = managementUrl(client);
  if (url === undefined) return [];
  const nodes = Object.keys(registeredNodes(client));
  if (nodes.length === 0) return [url];
  return nodes.map((node) => {
    try {
      const target = new URL(url);
      target.hostname = node;
      return target.toString();
    } catch {
      return url;
    }
  });
}

export interface GlobalRequestResult {
  successRequests?: string[];
  failedRequests?: string[];
}

/** Keycloak's answer for a push that was not sent to `targets`. */
export function notPushed(targets: string[]): GlobalRequestResult {
  return targets.length === 0 ? {} : { failedRequests: targets };
}
