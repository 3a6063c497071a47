/**
 * Realm keys as Keycloak's key providers hold them: each key belongs to one provider component
 * (`rsa-generated`, `rsa`, `rsa-enc-generated`, `ecdsa-generated`, `eddsa-generated`, `hmac-generated`,
 * `aes-generated`) with a priority and `active`/`enabled` flags. The highest-priority active key
 * of an algorithm signs; passive keys (`active` false) still verify, so tokens signed before a
 * rotation stay valid; disabled keys do neither. Keys are persisted (DESIGN rule 4) and imported
 * into KeyObjects once, when a realm is loaded, together with every choice a token needs.
 *
 * Besides the providers, each realm has one key of its own, the data key (`kind` 'aes', the name
 * older releases gave it): it seals client secrets at rest, is never a component and never leaves
 * the database, so rotating Keycloak's AES providers cannot make a client secret unreadable.
 */
import { createHash, createPrivateKey, createPublicKey, createSecretKey, generateKeyPair, randomBytes, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { parseCertificate, selfSignedCertificate } from './certificate.ts';
import { newId } from './random.ts';

const generateKeyPairAsync = promisify(generateKeyPair);

/**
 * 'rsa' signs (RS*, PS*), 'rsa-enc' is published for encryption (RSA-OAEP…), 'ec' signs (ES*),
 * 'okp' signs EdDSA (Ed25519 or Ed448), 'hmac' signs refresh tokens and cookies (HS*), 'aes-key'
 * is Keycloak's AES provider key, 'aes' the realm's data key.
 */
export type KeyKind = 'rsa' | 'rsa-enc' | 'ec' | 'okp' | 'hmac' | 'aes-key' | 'aes';

/** The key provider component a key belongs to (Keycloak's ComponentRepresentation, flattened). */
export interface KeyComponent {
  id: string;
  name: string;
  providerId: string;
  priority: number;
  enabled: boolean;
  /** Base64 DER X.509 certificate of an RSA or EC key; not secret. */
  certificate?: string;
  /** The provider's other settings as the admin gave them (keySize, ecdsaEllipticCurveKey, …). */
  config: Record<string, string[]>;
}

/**
 * A key as the store keeps it. `material` is PKCS#8 PEM (rsa, rsa-enc, ec) or base64 bytes
 * (hmac, aes-key, aes). `component` is absent only for the data key.
 */
export interface StoredKey {
  kid: string;
  realmId: string;
  kind: KeyKind;
  algorithm: string;
  material: string;
  createdAt: number;
  active: boolean;
  component?: KeyComponent;
}

export interface PublicJwk {
  kid: string;
  kty: string;
  alg: string;
  use: 'sig' | 'enc';
  x5c?: string[];
  x5t?: string;
  'x5t#S256'?: string;
  n?: string;
  e?: string;
  crv?: string;
  x?: string;
  y?: string;
}

/** One entry of Keycloak's KeysMetadataRepresentation (`GET /admin/realms/{realm}/keys`). */
export interface KeyMetadata {
  providerId: string;
  providerPriority: number;
  kid: string;
  status: 'ACTIVE' | 'PASSIVE' | 'DISABLED';
  type: 'RSA' | 'EC' | 'OKP' | 'OCT';
  algorithm: string;
  publicKey?: string;
  certificate?: string;
  use: 'SIG' | 'ENC';
  validTo?: number;
}

export interface SigningKey {
  kid: string;
  algorithm: string;
  privateKey: KeyObject;
}

/** Imported, ready-to-use keys of one realm. */
export interface RealmKeys {
  /** The key of the realm's `defaultSignatureAlgorithm`: access and ID tokens. */
  signing: SigningKey;
  /** The active asymmetric signing key of each algorithm that has one. */
  signingByAlgorithm: Map<string, SigningKey>;
  /** The active HS512 key: refresh tokens and cookies, as Keycloak's internal algorithm. */
  hmac: { kid: string; key: KeyObject };
  sealKey: Buffer;
  /** Every enabled key that may verify a token (active or passive), by kid. */
  verification: Map<string, { algorithm: string; key: KeyObject }>;
  jwks: PublicJwk[];
  /** Base64 DER SubjectPublicKeyInfo of the active RS256 key (Keycloak's legacy `public_key`). */
  publicKeyDer: string;
  /** Algorithm → kid of its active key, and every key, for the admin API. */
  active: Record<string, string>;
  metadata: KeyMetadata[];
}

export const RSA_SIGNATURE_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
export const RSA_ENCRYPTION_ALGORITHMS = ['RSA-OAEP', 'RSA-OAEP-256', 'RSA1_5'];
export const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'];
/** Curve by ECDSA algorithm, as Keycloak pairs them. */
export const EC_CURVES: Record<string, string> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' };
/** Keycloak's `eddsa-generated` curves; both sign as `EdDSA`. */
export const EDDSA_CURVES = ['Ed25519', 'Ed448'];
export const EDDSA = 'EdDSA';
/** What access and ID tokens can be signed with (and `defaultSignatureAlgorithm` may name). */
export const ASYMMETRIC_SIGNATURE_ALGORITHMS = [...RSA_SIGNATURE_ALGORITHMS, ...Object.keys(EC_CURVES), EDDSA];
/** The algorithm of refresh tokens and cookies (Keycloak's `Constants.INTERNAL_SIGNATURE_ALGORITHM`). */
export const INTERNAL_SIGNATURE_ALGORITHM = 'HS512';

export const ecAlgorithmOf = (curve: string): string => Object.keys(EC_CURVES).find((alg) => EC_CURVES[alg] === curve) ?? 'ES256';

/** Keycloak's kid of an asymmetric key: base64url SHA-256 of its SubjectPublicKeyInfo. */
export function asymmetricKid(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64url');
}

/** A new RSA (modulus length), EC or EdDSA (curve name) private key. */
export async function generatePrivateKey(kind: 'rsa' | 'ec' | 'okp', size: number | string): Promise<KeyObject> {
  if (kind === 'okp') return (size === 'Ed448' ? await generateKeyPairAsync('ed448') : await generateKeyPairAsync('ed25519')).privateKey;
  const { privateKey } = kind === 'rsa' ? await generateKeyPairAsync('rsa', { modulusLength: size as number }) : await generateKeyPairAsync('ec', { namedCurve: size as string });
  return privateKey;
}

/** The curve of an EdDSA key as Keycloak names it (`Ed25519`, `Ed448`). */
export const eddsaCurveOf = (key: KeyObject): string => (key.asymmetricKeyType === 'ed448' ? 'Ed448' : 'Ed25519');

export const pemOf = (privateKey: KeyObject): string => privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;

/** The fields of a new asymmetric key: kid from the public key and a certificate for RSA (and EC when asked). */
export function asymmetricKey(privateKey: KeyObject, commonName: string, nowMs: number, withCertificate: boolean): { kid: string; material: string; certificate?: string } {
  const publicKey = createPublicKey(privateKey);
  return { kid: asymmetricKid(publicKey), material: pemOf(privateKey), certificate: withCertificate ? selfSignedCertificate(commonName, privateKey, publicKey, nowMs) : undefined };
}

/**
 * A private key from PEM (PKCS#1, PKCS#8, SEC1) or from bare base64 DER as Keycloak stores and
 * exports it; undefined if it is none of these.
 */
export function parsePrivateKey(text: string): KeyObject | undefined {
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN')) {
    try {
      return createPrivateKey(trimmed);
    } catch {
      return undefined;
    }
  }
  const body = trimmed.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) return undefined;
  const der = Buffer.from(body, 'base64');
  for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
    try {
      return createPrivateKey({ key: der, format: 'der', type });
    } catch {
      // Try the next encoding.
    }
  }
  return undefined;
}

/** Base64 DER of a stored private key: PKCS#1 for RSA, PKCS#8 for EC, as Keycloak exports them. */
export function exportPrivateKeyDer(material: string): string {
  const key = createPrivateKey(material);
  return (key.export({ type: key.asymmetricKeyType === 'rsa' ? 'pkcs1' : 'pkcs8', format: 'der' }) as Buffer).toString('base64');
}

/** Base64 DER SubjectPublicKeyInfo of a stored private key's public half. */
export function exportPublicKeyDer(material: string): string {
  return (createPublicKey(createPrivateKey(material)).export({ type: 'spki', format: 'der' }) as Buffer).toString('base64');
}

/** The kid Keycloak would give a stored private key. */
export const publicKeyKid = (material: string): string => asymmetricKid(createPublicKey(createPrivateKey(material)));

/** A new self-signed certificate for a stored RSA or EC private key (PEM). */
export function certificateFor(material: string, commonName: string, nowMs: number): string {
  const privateKey = createPrivateKey(material);
  return selfSignedCertificate(commonName, privateKey, createPublicKey(privateKey), nowMs);
}

const provider = (providerId: string, name: string, config: Record<string, string[]>): KeyComponent => ({ id: newId(), name, providerId, priority: 100, enabled: true, config: { priority: ['100'], ...config } });

/**
 * Keycloak 26's keys for a new realm (rsa-generated RS256, hmac-generated-hs512, aes-generated),
 * plus holdfast's data key. `rsa-enc-generated` is left out: holdfast decrypts nothing, so an
 * encryption key in the JWKS would only invite clients to encrypt for it.
 */
export async function generateRealmKeys(realmId: string, realmName: string, nowMs: number): Promise<StoredKey[]> {
  const createdAt = Math.floor(nowMs / 1000);
  const base = { realmId, createdAt, active: true };
  const rsa = asymmetricKey(await generatePrivateKey('rsa', 2048), realmName, nowMs, true);
  return [
    { ...base, kid: rsa.kid, kind: 'rsa', algorithm: 'RS256', material: rsa.material, component: { ...provider('rsa-generated', 'rsa-generated', {}), certificate: rsa.certificate } },
    { ...base, kid: newId(), kind: 'hmac', algorithm: 'HS512', material: randomBytes(64).toString('base64'), component: provider('hmac-generated', 'hmac-generated-hs512', { algorithm: ['HS512'] }) },
    { ...base, kid: newId(), kind: 'aes-key', algorithm: 'AES', material: randomBytes(16).toString('base64'), component: provider('aes-generated', 'aes-generated', {}) },
    { ...base, kid: newId(), kind: 'aes', algorithm: 'AES', material: randomBytes(32).toString('base64') },
  ];
}

export interface GeneratedKeySpec {
  realmId: string;
  /** The certificate's common name. */
  realmName: string;
  kind: Exclude<KeyKind, 'aes'>;
  algorithm: string;
  component: KeyComponent;
  /** RSA modulus bits, or secret bytes (hmac, aes-key); the curve of an EC key follows its algorithm. */
  size?: number;
  /** The curve of an EdDSA key (`Ed25519` unless given). */
  curve?: string;
  /** EC keys get a certificate only when asked (Keycloak's `ecGenerateCertificate`); RSA keys always. */
  ecCertificate?: boolean;
  active: boolean;
  nowMs: number;
}

export const DEFAULT_SECRET_SIZES: Record<'hmac' | 'aes-key', number> = { hmac: 64, 'aes-key': 16 };

/** A new key for a generated provider (`*-generated`, Keycloak's fallback keys). */
export async function generateKey(spec: GeneratedKeySpec): Promise<StoredKey> {
  const base = { realmId: spec.realmId, kind: spec.kind, algorithm: spec.algorithm, createdAt: Math.floor(spec.nowMs / 1000), active: spec.active };
  if (spec.kind === 'hmac' || spec.kind === 'aes-key') {
    return { ...base, kid: newId(), material: randomBytes(spec.size ?? DEFAULT_SECRET_SIZES[spec.kind]).toString('base64'), component: spec.component };
  }
  if (spec.kind === 'okp') {
    // Keycloak's eddsa-generated keys have no certificate.
    const { kid, material } = asymmetricKey(await generatePrivateKey('okp', spec.curve ?? 'Ed25519'), spec.realmName, spec.nowMs, false);
    return { ...base, kid, material, component: { ...spec.component, certificate: undefined } };
  }
  const ec = spec.kind === 'ec';
  const privateKey = await generatePrivateKey(ec ? 'ec' : 'rsa', ec ? EC_CURVES[spec.algorithm] : (spec.size ?? 2048));
  const { kid, material, certificate } = asymmetricKey(privateKey, spec.realmName, spec.nowMs, !ec || spec.ecCertificate === true);
  return { ...base, kid, material, component: { ...spec.component, certificate } };
}

/** Keycloak's order of keys: providers by priority, highest first, then by id. */
function byPriority(a: StoredKey, b: StoredKey): number {
  const pa = a.component?.priority ?? 0;
  const pb = b.component?.priority ?? 0;
  if (pa !== pb) return pb - pa;
  const ia = a.component?.id ?? a.kid;
  const ib = b.component?.id ?? b.kid;
  return ia < ib ? -1 : ia > ib ? 1 : 0;
}

const statusOf = (key: StoredKey): KeyMetadata['status'] => (key.component?.enabled === false ? 'DISABLED' : key.active ? 'ACTIVE' : 'PASSIVE');

function importAsymmetric(key: StoredKey, verification: RealmKeys['verification'], jwks: PublicJwk[], metadata: KeyMetadata[]): { privateKey: KeyObject; publicKey: KeyObject } {
  const privateKey = createPrivateKey(key.material);
  const publicKey = createPublicKey(privateKey);
  const status = statusOf(key);
  const use = key.kind === 'rsa-enc' ? 'enc' : 'sig';
  const certificate = key.component?.certificate === undefined ? undefined : parseCertificate(key.component.certificate);
  const spki = (publicKey.export({ type: 'spki', format: 'der' }) as Buffer).toString('base64');
  metadata.push({
    providerId: key.component?.id ?? key.kid,
    providerPriority: key.component?.priority ?? 0,
    kid: key.kid,
    status,
    type: key.kind === 'ec' ? 'EC' : key.kind === 'okp' ? 'OKP' : 'RSA',
    algorithm: key.algorithm,
    publicKey: spki,
    ...(certificate ? { certificate: certificate.base64 } : {}),
    use: use === 'enc' ? 'ENC' : 'SIG',
    ...(certificate ? { validTo: certificate.validTo } : {}),
  });
  if (status !== 'DISABLED') {
    if (use === 'sig') verification.set(key.kid, { algorithm: key.algorithm, key: publicKey });
    const jwk = publicKey.export({ format: 'jwk' });
    const x5 = certificate ? { x5c: [certificate.base64], x5t: certificate.x5t, 'x5t#S256': certificate.x5tS256 } : {};
    jwks.push(
      key.kind === 'ec'
        ? { kid: key.kid, kty: 'EC', alg: key.algorithm, use, crv: jwk.crv, x: jwk.x, y: jwk.y, ...x5 }
        : key.kind === 'okp'
          ? { kid: key.kid, kty: 'OKP', alg: key.algorithm, use, crv: jwk.crv, x: jwk.x, ...x5 }
          : { kid: key.kid, kty: 'RSA', alg: key.algorithm, use, ...x5, n: jwk.n, e: jwk.e },
    );
  }
  return { privateKey, publicKey };
}

/** The realm's data key (client secrets are sealed under it). */
export function dataKeyOf(stored: StoredKey[]): Buffer {
  const key = stored.find((k) => k.kind === 'aes' && k.active);
  if (!key) throw new Error('realm has no data key');
  return Buffer.from(key.material, 'base64');
}

export function importRealmKeys(stored: StoredKey[], defaultSignatureAlgorithm = 'RS256'): RealmKeys {
  const verification: RealmKeys['verification'] = new Map();
  const signingByAlgorithm = new Map<string, SigningKey>();
  const jwks: PublicJwk[] = [];
  const metadata: KeyMetadata[] = [];
  const active: Record<string, string> = {};
  let hmac: RealmKeys['hmac'] | undefined;
  const sealKey = dataKeyOf(stored);
  let publicKeyDer = '';
  for (const key of [...stored].sort(byPriority)) {
    if (key.kind === 'aes') continue;
    const usable = statusOf(key) === 'ACTIVE';
    if (usable && active[key.algorithm] === undefined) active[key.algorithm] = key.kid;
    const first = usable && active[key.algorithm] === key.kid;
    if (key.kind === 'rsa' || key.kind === 'rsa-enc' || key.kind === 'ec' || key.kind === 'okp') {
      const { privateKey, publicKey } = importAsymmetric(key, verification, jwks, metadata);
      if (first && key.kind !== 'rsa-enc') signingByAlgorithm.set(key.algorithm, { kid: key.kid, algorithm: key.algorithm, privateKey });
      if (first && key.algorithm === 'RS256') publicKeyDer = (publicKey.export({ type: 'spki', format: 'der' }) as Buffer).toString('base64');
      continue;
    }
    const secret = createSecretKey(Buffer.from(key.material, 'base64'));
    metadata.push({ providerId: key.component?.id ?? key.kid, providerPriority: key.component?.priority ?? 0, kid: key.kid, status: statusOf(key), type: 'OCT', algorithm: key.algorithm, use: key.kind === 'hmac' ? 'SIG' : 'ENC' });
    if (key.kind === 'hmac' && statusOf(key) !== 'DISABLED') verification.set(key.kid, { algorithm: key.algorithm, key: secret });
    if (key.kind === 'hmac' && first && key.algorithm === INTERNAL_SIGNATURE_ALGORITHM) hmac = { kid: key.kid, key: secret };
  }
  const signing = signingByAlgorithm.get(defaultSignatureAlgorithm);
  if (!signing || !hmac) throw new Error(`realm has no complete active key set (${defaultSignatureAlgorithm}, ${INTERNAL_SIGNATURE_ALGORITHM}, data key)`);
  return { signing, signingByAlgorithm, hmac, sealKey, verification, jwks, publicKeyDer, active, metadata };
}
