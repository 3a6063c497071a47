/**
 * Realm signing keys. Like Keycloak's default realm: an RSA key (RS256) signs access and ID tokens
 * and is published at `certs`; an HMAC key (HS512) signs refresh tokens and the identity cookie;
 * an AES key seals secrets at rest. Keys are persisted (DESIGN rule 4) so tokens issued before a
 * restart still verify after it; they are imported into KeyObjects once, when a realm is loaded.
 */
import { createPrivateKey, createPublicKey, createSecretKey, generateKeyPair, randomBytes, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { newId } from './random.ts';

const generateKeyPairAsync = promisify(generateKeyPair);

export type KeyKind = 'rsa' | 'hmac' | 'aes';

/** A key as the store keeps it. `material` is PKCS#8 PEM (rsa) or base64 bytes (hmac, aes). */
export interface StoredKey {
  kid: string;
  realmId: string;
  kind: KeyKind;
  algorithm: string;
  material: string;
  createdAt: number;
  active: boolean;
}

export interface PublicJwk {
  kid: string;
  kty: string;
  alg: string;
  use: 'sig';
  n?: string;
  e?: string;
  crv?: string;
  x?: string;
  y?: string;
}

/** Imported, ready-to-use keys of one realm. */
export interface RealmKeys {
  signing: { kid: string; algorithm: string; privateKey: KeyObject; publicKey: KeyObject };
  hmac: { kid: string; key: KeyObject };
  sealKey: Buffer;
  /** Every key that may verify a token, by kid (older keys stay until removed). */
  verification: Map<string, { algorithm: string; key: KeyObject }>;
  jwks: PublicJwk[];
  /** Base64 DER SubjectPublicKeyInfo of the active RSA key (Keycloak's legacy `public_key`). */
  publicKeyDer: string;
}

export async function generateRealmKeys(realmId: string, nowSeconds: number): Promise<StoredKey[]> {
  const { privateKey } = await generateKeyPairAsync('rsa', { modulusLength: 2048 });
  const base = { realmId, createdAt: nowSeconds, active: true };
  return [
    { ...base, kid: newKid(), kind: 'rsa', algorithm: 'RS256', material: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string },
    { ...base, kid: newId(), kind: 'hmac', algorithm: 'HS512', material: randomBytes(64).toString('base64') },
    { ...base, kid: newId(), kind: 'aes', algorithm: 'AES', material: randomBytes(32).toString('base64') },
  ];
}

/** Keycloak's RSA kids are 43-character base64url strings; ours have the same shape. */
function newKid(): string {
  return randomBytes(32).toString('base64url');
}

export function importRealmKeys(stored: StoredKey[]): RealmKeys {
  const verification = new Map<string, { algorithm: string; key: KeyObject }>();
  const jwks: PublicJwk[] = [];
  let signing: RealmKeys['signing'] | undefined;
  let hmac: RealmKeys['hmac'] | undefined;
  let sealKey: Buffer | undefined;
  let publicKeyDer = '';
  // Newest first, so the newest active key of each kind wins.
  for (const key of [...stored].sort((a, b) => b.createdAt - a.createdAt)) {
    if (key.kind === 'rsa') {
      const privateKey = createPrivateKey(key.material);
      const publicKey = createPublicKey(privateKey);
      verification.set(key.kid, { algorithm: key.algorithm, key: publicKey });
      const jwk = publicKey.export({ format: 'jwk' });
      jwks.push({ kid: key.kid, kty: 'RSA', alg: key.algorithm, use: 'sig', n: jwk.n, e: jwk.e });
      if (key.active && !signing) {
        signing = { kid: key.kid, algorithm: key.algorithm, privateKey, publicKey };
        publicKeyDer = (publicKey.export({ type: 'spki', format: 'der' }) as Buffer).toString('base64');
      }
    } else if (key.kind === 'hmac') {
      const secret = createSecretKey(Buffer.from(key.material, 'base64'));
      verification.set(key.kid, { algorithm: key.algorithm, key: secret });
      if (key.active && !hmac) hmac = { kid: key.kid, key: secret };
    } else if (key.kind === 'aes' && key.active && !sealKey) {
      sealKey = Buffer.from(key.material, 'base64');
    }
  }
  if (!signing || !hmac || !sealKey) throw new Error('realm has no complete active key set');
  return { signing, hmac, sealKey, verification, jwks, publicKeyDer };
}
