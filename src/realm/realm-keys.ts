/**
 * The keys a realm needs before it can serve tokens, made when a realm is loaded, as Keycloak
 * makes them when a key is first asked for: a `fallback-<alg>` provider at priority -100 for an
 * algorithm that has no active key (the realm's `defaultSignatureAlgorithm`, a client's
 * `access.token.signed.response.alg` / `id.token.signed.response.alg` /
 * `userinfo.token.signed.response.alg`, HS512 for refresh
 * tokens), so removing or disabling the last key of an algorithm never stops the realm; and the
 * certificate of an RSA key that has none (keys from before certificates were made). Written in
 * one transaction under the realm lock, so two nodes loading at once make them once.
 */
import {
  ASYMMETRIC_SIGNATURE_ALGORITHMS,
  EC_CURVES,
  EDDSA,
  generateKey,
  INTERNAL_SIGNATURE_ALGORITHM,
  newId,
  certificateFor,
  type StoredKey,
} from '../crypto/index.ts';
import type { RealmRepository } from './realm-repository.ts';
import type { Client, Realm } from './types.ts';

const CLIENT_SIGNATURE_ATTRIBUTES = ['access.token.signed.response.alg', 'id.token.signed.response.alg', 'userinfo.token.signed.response.alg'];

/** Algorithms tokens of this realm are signed with. */
export function signatureAlgorithms(realm: Realm, clients: Iterable<Client>): Set<string> {
  const algorithms = new Set([realm.settings.defaultSignatureAlgorithm, INTERNAL_SIGNATURE_ALGORITHM]);
  for (const client of clients) {
    for (const name of CLIENT_SIGNATURE_ATTRIBUTES) {
      const algorithm = client.attributes[name];
      if (algorithm && ASYMMETRIC_SIGNATURE_ALGORITHMS.includes(algorithm)) algorithms.add(algorithm);
    }
  }
  return algorithms;
}

const isActive = (key: StoredKey) => key.active && key.component?.enabled !== false;

function missing(realm: Realm, clients: Iterable<Client>, keys: StoredKey[]): { algorithms: string[]; certificates: StoredKey[] } {
  const covered = new Set(keys.filter((k) => isActive(k) && k.kind !== 'rsa-enc').map((k) => k.algorithm));
  return {
    algorithms: [...signatureAlgorithms(realm, clients)].filter((alg) => !covered.has(alg)),
    certificates: keys.filter((k) => (k.kind === 'rsa' || k.kind === 'rsa-enc') && k.component && k.component.certificate === undefined),
  };
}

function fallbackKey(realm: Realm, algorithm: string, nowMs: number): Promise<StoredKey> {
  const kind = algorithm.startsWith('HS') ? 'hmac' : algorithm in EC_CURVES ? 'ec' : algorithm === EDDSA ? 'okp' : 'rsa';
  const providerId = kind === 'hmac' ? 'hmac-generated' : kind === 'ec' ? 'ecdsa-generated' : kind === 'okp' ? 'eddsa-generated' : 'rsa-generated';
  // Keycloak's EdDSA fallback names its curve (Ed25519), not an algorithm.
  const config: Record<string, string[]> =
    kind === 'okp'
      ? { priority: ['-100'], eddsaEllipticCurveKey: ['Ed25519'] }
      : { priority: ['-100'], algorithm: [algorithm], ...(kind === 'ec' ? { ecdsaEllipticCurveKey: [EC_CURVES[algorithm]] } : {}) };
  return generateKey({
    realmId: realm.id,
    realmName: realm.name,
    kind,
    algorithm,
    component: { id: newId(), name: `fallback-${algorithm}`, providerId, priority: -100, enabled: true, config },
    active: true,
    nowMs,
  });
}

/** Fallback keys for the algorithms `keys` leave without an active key (a realm file's key providers, say). */
export async function fallbackKeys(realm: Realm, clients: Iterable<Client>, keys: StoredKey[], nowMs: number): Promise<StoredKey[]> {
  const added: StoredKey[] = [];
  for (const algorithm of missing(realm, clients, keys).algorithms) added.push(await fallbackKey(realm, algorithm, nowMs));
  return added;
}

/** The realm's keys, with whatever was missing made and stored first. */
export async function completeRealmKeys(repository: RealmRepository, realm: Realm, clients: Client[], keys: StoredKey[], nowMs: number): Promise<StoredKey[]> {
  const first = missing(realm, clients, keys);
  if (first.algorithms.length === 0 && first.certificates.length === 0) return keys;
  return repository.transaction(async (tx) => {
    await tx.lockRealm(realm.id);
    const current = await tx.listKeys(realm.id);
    await tx.addKeys(await fallbackKeys(realm, clients, current, nowMs));
    for (const key of missing(realm, clients, current).certificates) {
      await tx.updateKey(key.kid, { ...key, component: { ...key.component!, certificate: certificateFor(key.material, realm.name, nowMs) } });
    }
    return tx.listKeys(realm.id);
  });
}
