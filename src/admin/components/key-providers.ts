/**
 * Keycloak's key provider components (`org.keycloak.keys.KeyProvider`): what each providerId
 * accepts in its `config` (string arrays, as Keycloak's MultivaluedHashMap), with Keycloak's
 * validation messages; turning a component into the stored key it describes (generating one
 * when the provider generates its own); and the component as the admin API shows it (declared
 * settings only, `**********` for a private key, as Keycloak) and as a full export carries it
 * (with the key material, so an export → import keeps every outstanding token valid).
 *
 * Shared by the `/components` routes and realm import (plan-key-components), so a realm file is
 * held to the same rules as the admin API. Realm files may also carry the material Keycloak
 * writes into a full export (`privateKey`, `certificate`, `secret`, `kid`, …); the admin API
 * refuses those on generated providers, as nothing there shows or sets them.
 */
import {
  asymmetricKey,
  asymmetricKid,
  certificateFor,
  DEFAULT_SECRET_SIZES,
  EC_CURVES,
  ecAlgorithmOf,
  EDDSA,
  EDDSA_CURVES,
  eddsaCurveOf,
  generateKey,
  HMAC_ALGORITHMS,
  newId,
  parseCertificate,
  parsePrivateKey,
  exportPrivateKeyDer,
  exportPublicKeyDer,
  publicKeyKid,
  RSA_ENCRYPTION_ALGORITHMS,
  RSA_SIGNATURE_ALGORITHMS,
  type KeyComponent,
  type KeyKind,
  type StoredKey,
} from '../../crypto/index.ts';
import type { Realm } from '../../realm/index.ts';
import { object, record, string, stringList, type Checked } from '../json-shape.ts';

export const KEY_PROVIDER_TYPE = 'org.keycloak.keys.KeyProvider';
/** What Keycloak shows instead of a secret setting. */
export const SECRET_MASK = '**********';

/** Keycloak's ComponentRepresentation, as a body or a realm file carries it. */
export const componentRepresentation = object({
  id: string,
  name: string,
  providerId: string,
  providerType: string,
  parentId: string,
  subType: string,
  config: record(stringList),
});
export type ComponentRepresentation = Checked<typeof componentRepresentation>;

/** A component the rules refuse; the message is Keycloak's where Keycloak has one. */
export class KeyProviderProblem extends Error {}

type Setting = (value: string) => string | undefined;

const choice = (label: string, allowed: string[], quoted = false): Setting => (value) =>
  allowed.includes(value) ? undefined : `'${label}' should be ${allowed.slice(0, -1).map((a) => (quoted ? `'${a}'` : a)).join(', ')} or ${quoted ? `'${allowed.at(-1)}'` : allowed.at(-1)}`;
const flag = (label: string) => choice(label, ['true', 'false'], true);
const text: Setting = () => undefined;

const COMMON: Record<string, Setting> = {
  priority: (value) => (/^-?\d{1,18}$/.test(value) ? undefined : "'Priority' should be a number"),
  enabled: flag('Enabled'),
  active: flag('Active'),
};
const RSA_KEY_SIZE = choice('Key size', ['1024', '2048', '3072', '4096']);
const SECRET_SIZE = choice('Secret size', ['16', '24', '32', '64', '128', '256', '512']);

interface ProviderDefinition {
  kind: Exclude<KeyKind, 'aes'>;
  /** Settings the admin API shows and sets. */
  settings: Record<string, Setting>;
  /** Key material a full export carries (accepted from realm files only, or as `settings` for `rsa`). */
  material: string[];
  defaultAlgorithm: string;
  /** The generated key's size setting, when the provider generates its key. */
  sizeSetting?: string;
}

const PROVIDERS: Record<string, ProviderDefinition> = {
  'rsa-generated': {
    kind: 'rsa',
    settings: { ...COMMON, keySize: RSA_KEY_SIZE, algorithm: choice('Algorithm', RSA_SIGNATURE_ALGORITHMS) },
    material: ['privateKey', 'certificate', 'keyUse', 'kid'],
    defaultAlgorithm: 'RS256',
    sizeSetting: 'keySize',
  },
  'rsa-enc-generated': {
    kind: 'rsa-enc',
    settings: { ...COMMON, keySize: RSA_KEY_SIZE, algorithm: choice('Algorithm', RSA_ENCRYPTION_ALGORITHMS) },
    material: ['privateKey', 'certificate', 'keyUse', 'kid'],
    defaultAlgorithm: 'RSA-OAEP',
    sizeSetting: 'keySize',
  },
  rsa: {
    kind: 'rsa',
    settings: { ...COMMON, privateKey: text, certificate: text, algorithm: choice('Algorithm', RSA_SIGNATURE_ALGORITHMS) },
    material: ['keyUse', 'kid'],
    defaultAlgorithm: 'RS256',
  },
  'ecdsa-generated': {
    kind: 'ec',
    settings: { ...COMMON, ecdsaEllipticCurveKey: choice('Elliptic Curve', Object.values(EC_CURVES)), ecGenerateCertificate: flag('Generate Certificate') },
    material: ['ecdsaPrivateKey', 'ecdsaPublicKey', 'privateKey', 'certificate', 'kid'],
    defaultAlgorithm: 'ES256',
    sizeSetting: 'ecdsaEllipticCurveKey',
  },
  'eddsa-generated': {
    kind: 'okp',
    settings: { ...COMMON, eddsaEllipticCurveKey: choice('Elliptic Curve', EDDSA_CURVES) },
    material: ['eddsaPrivateKey', 'eddsaPublicKey', 'kid'],
    defaultAlgorithm: EDDSA,
    sizeSetting: 'eddsaEllipticCurveKey',
  },
  'hmac-generated': {
    kind: 'hmac',
    settings: { ...COMMON, secretSize: SECRET_SIZE, algorithm: choice('Algorithm', HMAC_ALGORITHMS) },
    material: ['secret', 'kid'],
    defaultAlgorithm: 'HS256',
    sizeSetting: 'secretSize',
  },
  'aes-generated': {
    kind: 'aes-key',
    settings: { ...COMMON, secretSize: SECRET_SIZE },
    material: ['secret', 'kid'],
    defaultAlgorithm: 'AES',
    sizeSetting: 'secretSize',
  },
};

export const KEY_PROVIDER_IDS = Object.keys(PROVIDERS);

/** Settings that hold a secret: never shown, only masked. */
const SECRET_SETTINGS = new Set(['privateKey']);

export interface PlanOptions {
  realm: Realm;
  nowMs: number;
  /** Realm files may carry key material; admin bodies may not (except `rsa`'s own settings). */
  source: 'admin' | 'file';
}

const single = (config: Record<string, string[]>, name: string): string | undefined => {
  const values = config[name];
  if (values === undefined || values.length === 0) return undefined;
  if (values.length > 1) throw new KeyProviderProblem(`'${name}' takes one value, got ${values.length}`);
  return values[0];
};

/** The definition of a providerId, or a problem naming it. */
export function keyProviderDefinition(providerId: string | undefined): ProviderDefinition {
  const definition = providerId === undefined ? undefined : PROVIDERS[providerId];
  if (!definition) throw new KeyProviderProblem(`Unknown key provider '${providerId ?? ''}': holdfast supports ${KEY_PROVIDER_IDS.join(', ')}`);
  return definition;
}

/** Checks every setting; returns the config without secrets (those live in the key material). */
function checkedConfig(definition: ProviderDefinition, providerId: string, config: Record<string, string[]>, options: PlanOptions): Record<string, string[]> {
  const kept: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(config)) {
    const setting = definition.settings[name];
    if (!setting) {
      if (options.source === 'file' && definition.material.includes(name)) continue;
      throw new KeyProviderProblem(`Unknown setting '${name}' for key provider ${providerId}`);
    }
    const value = single(config, name);
    if (value === undefined) continue;
    const problem = setting(value);
    if (problem) throw new KeyProviderProblem(problem);
    if (!SECRET_SETTINGS.has(name) && name !== 'certificate') kept[name] = values;
  }
  return kept;
}

function decodedPrivateKey(text: string | undefined, kind: 'rsa' | 'ec' | 'okp', curve?: string) {
  const key = text === undefined ? undefined : parsePrivateKey(text);
  const type = key?.asymmetricKeyType;
  const fits = kind === 'okp' ? (type === 'ed25519' || type === 'ed448') && (curve === undefined || eddsaCurveOf(key!) === curve) : type === kind;
  if (!key || !fits) throw new KeyProviderProblem('Failed to decode private key');
  return key;
}

/** The certificate given for a key (it must be the key's), or a new one. */
function certificateOf(given: string | undefined, material: string, options: PlanOptions): string {
  if (given === undefined || given === '') return certificateFor(material, options.realm.name, options.nowMs);
  const parsed = parseCertificate(given);
  if (!parsed) throw new KeyProviderProblem('Failed to decode certificate');
  if (asymmetricKid(parsed.publicKey) !== publicKeyKid(material)) throw new KeyProviderProblem('Certificate does not match private key');
  return parsed.base64;
}

/**
 * The stored key a component describes. `existing` is the key it replaces (an update): its
 * material is kept unless the component gives new material or a different size or curve.
 */
export async function planKeyProvider(rep: ComponentRepresentation, options: PlanOptions, existing?: StoredKey): Promise<StoredKey> {
  const key = await planKey(rep, options, existing);
  if (key.kind !== 'okp') return key;
  // Keycloak writes the curve of an EdDSA key into its config, given or not: an export must name the key's own.
  const privateKey = parsePrivateKey(key.material)!;
  return { ...key, component: { ...key.component!, config: { ...key.component!.config, eddsaEllipticCurveKey: [eddsaCurveOf(privateKey)] } } };
}

async function planKey(rep: ComponentRepresentation, options: PlanOptions, existing?: StoredKey): Promise<StoredKey> {
  const providerId = rep.providerId;
  const definition = keyProviderDefinition(providerId);
  if (existing && existing.component?.providerId !== providerId) throw new KeyProviderProblem(`providerId cannot be changed (it is ${existing.component?.providerId})`);
  if (rep.subType !== undefined) throw new KeyProviderProblem(`Key providers have no subType (got '${rep.subType}')`);
  const given = rep.config ?? {};
  const config = checkedConfig(definition, providerId!, given, options);
  const priority = Number(single(given, 'priority') ?? '0');
  const component: KeyComponent = {
    id: existing?.component?.id ?? rep.id ?? newId(),
    name: rep.name ?? existing?.component?.name ?? providerId!,
    providerId: providerId!,
    priority,
    enabled: single(given, 'enabled') !== 'false',
    config,
  };
  const active = single(given, 'active') !== 'false';
  const kind = definition.kind;
  const curve = single(given, 'ecdsaEllipticCurveKey');
  const algorithm = kind === 'ec' ? ecAlgorithmOf(curve ?? (existing ? EC_CURVES[existing.algorithm] : 'P-256')) : (single(given, 'algorithm') ?? definition.defaultAlgorithm);
  const base = { realmId: options.realm.id, kind, algorithm, active, createdAt: existing?.createdAt ?? Math.floor(options.nowMs / 1000) };
  const fileKid = options.source === 'file' ? single(given, 'kid') : undefined;

  if (kind === 'hmac' || kind === 'aes-key') {
    const secret = options.source === 'file' ? single(given, 'secret') : undefined;
    if (secret !== undefined) {
      if (!/^[A-Za-z0-9_-]+={0,2}$/.test(secret)) throw new KeyProviderProblem("'secret' is not base64url");
      return { ...base, kid: fileKid ?? existing?.kid ?? newId(), material: Buffer.from(secret, 'base64url').toString('base64'), component };
    }
    const size = single(given, 'secretSize');
    const keep = existing && (size === undefined || Buffer.from(existing.material, 'base64').length === Number(size));
    if (keep) return { ...base, kid: existing.kid, material: existing.material, component };
    return { ...(await generateKey({ ...base, realmName: options.realm.name, kind, component, size: size === undefined ? DEFAULT_SECRET_SIZES[kind] : Number(size), nowMs: options.nowMs })), createdAt: base.createdAt };
  }

  const asymmetricKind = kind === 'ec' || kind === 'okp' ? kind : 'rsa';
  const fileKey = kind === 'okp' ? single(given, 'eddsaPrivateKey') : (single(given, 'ecdsaPrivateKey') ?? single(given, 'privateKey'));
  const privateText = providerId === 'rsa' ? single(given, 'privateKey') : options.source === 'file' ? fileKey : undefined;
  const eddsaCurve = kind === 'okp' ? single(given, 'eddsaEllipticCurveKey') : undefined;
  const certificateText = providerId === 'rsa' || options.source === 'file' ? single(given, 'certificate') : undefined;
  if (providerId === 'rsa' && (privateText === undefined || privateText === '')) throw new KeyProviderProblem("'Private RSA Key' is required");
  if (privateText !== undefined && !(privateText === SECRET_MASK && existing)) {
    const privateKey = decodedPrivateKey(privateText, asymmetricKind, eddsaCurve);
    const fields = asymmetricKey(privateKey, options.realm.name, options.nowMs, false);
    const kid = fileKid ?? fields.kid;
    const withCertificate = kind === 'okp' ? false : kind !== 'ec' || certificateText !== undefined || single(given, 'ecGenerateCertificate') === 'true';
    const certificate = withCertificate ? certificateOf(certificateText, fields.material, options) : undefined;
    return { ...base, kid, material: fields.material, component: { ...component, certificate } };
  }
  if (existing) {
    const size = definition.sizeSetting === undefined ? undefined : single(given, definition.sizeSetting);
    const existingKey = parsePrivateKey(existing.material);
    const sameSize =
      size === undefined ||
      (kind === 'ec' ? EC_CURVES[existing.algorithm] === size : kind === 'okp' ? existingKey !== undefined && eddsaCurveOf(existingKey) === size : existingKey?.asymmetricKeyDetails?.modulusLength === Number(size));
    if (sameSize) {
      const replaced = providerId === 'rsa' && certificateText !== undefined && certificateText !== existing.component?.certificate;
      const certificate = replaced ? certificateOf(certificateText, existing.material, options) : existing.component?.certificate;
      return { ...base, kid: existing.kid, material: existing.material, component: { ...component, certificate } };
    }
  }
  const size = single(given, 'keySize');
  return {
    ...(await generateKey({
      ...base,
      realmName: options.realm.name,
      kind,
      component,
      size: size === undefined ? undefined : Number(size),
      curve: eddsaCurve,
      ecCertificate: single(given, 'ecGenerateCertificate') === 'true',
      nowMs: options.nowMs,
    })),
    createdAt: base.createdAt,
  };
}

/** The component as the admin API shows it: declared settings only, a private key masked. */
export function toComponentRepresentation(key: StoredKey): Record<string, unknown> {
  const component = key.component!;
  const config: Record<string, string[]> = { ...component.config };
  if (component.providerId === 'rsa') {
    config.privateKey = [SECRET_MASK];
    if (component.certificate) config.certificate = [component.certificate];
  }
  return { id: component.id, name: component.name, providerId: component.providerId, providerType: KEY_PROVIDER_TYPE, parentId: key.realmId, config };
}

/** The component as a full export carries it, key material included, in Keycloak's format. */
export function toComponentExport(key: StoredKey): Record<string, unknown> {
  const component = key.component!;
  const material: Record<string, string[]> = {};
  if (key.kind === 'hmac' || key.kind === 'aes-key') {
    material.kid = [key.kid];
    material.secret = [Buffer.from(key.material, 'base64').toString('base64url')];
  } else {
    const der = exportPrivateKeyDer(key.material);
    if (key.kind === 'okp') {
      material.eddsaPrivateKey = [der];
      material.eddsaPublicKey = [exportPublicKeyDer(key.material)];
    } else if (key.kind === 'ec') {
      material.ecdsaPrivateKey = [der];
      material.ecdsaPublicKey = [exportPublicKeyDer(key.material)];
    } else {
      material.privateKey = [der];
    }
    if (component.certificate) material.certificate = [component.certificate];
    // Keycloak derives an asymmetric kid from the public key; keys made before holdfast did so keep theirs.
    if (key.kid !== publicKeyKid(key.material)) material.kid = [key.kid];
  }
  return { id: component.id, name: component.name, providerId: component.providerId, subComponents: {}, config: { ...component.config, ...material } };
}
