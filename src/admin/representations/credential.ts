/**
 * Keycloak's CredentialRepresentation in realm files and user bodies. Hashed credentials are kept
 * byte for byte as Keycloak wrote them (`secretData` and `credentialData` are JSON text), so an
 * imported argon2 or pbkdf2 password verifies unchanged and exports back identically. Only a
 * plaintext `value` needs hashing, which the caller does outside any transaction.
 */
import { hashPassword, newId, passwordHashCost, type HashChoice } from '../../crypto/index.ts';
import { otpCredentialProblem, OTP_TYPE } from '../../authn/index.ts';
import type { PasswordCredential, StoredCredential } from '../../realm/index.ts';
import { boolean, field, integer, multiValuedMap, object, ShapeError, string, type Checked } from '../json-shape.ts';

export const credentialRepresentation = object({
  id: string,
  type: string,
  userLabel: string,
  createdDate: integer,
  secretData: string,
  credentialData: string,
  priority: integer,
  value: string,
  temporary: boolean,
  // Pre-Keycloak-12 files carried the hash in these fields.
  hashedSaltedValue: string,
  salt: string,
  hashIterations: integer,
  algorithm: string,
});
export type CredentialRepresentation = Checked<typeof credentialRepresentation>;

/** The fields that carry a hash already made (current and pre-Keycloak-12 forms). */
export const HASH_FIELDS = ['secretData', 'credentialData', 'hashedSaltedValue', 'salt', 'hashIterations', 'algorithm'] as const;

/** A password given in clear text, to be hashed before it is stored. */
export interface PlainPassword {
  id: string;
  value: string;
  temporary: boolean;
  userLabel?: string;
  createdDate: number;
}

export type ParsedCredential = { kind: 'stored'; credential: StoredCredential } | { kind: 'plain'; password: PlainPassword };

/** Keycloak's priority for a password; other types follow it. */
export const PASSWORD_PRIORITY = 10;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const passwordCredentialData = object({ hashIterations: integer, algorithm: string, additionalParameters: multiValuedMap });
const passwordSecretData = object({ value: string, salt: string, additionalParameters: multiValuedMap });

function parseJsonText(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ShapeError(path, 'not valid JSON');
  }
}

/** Checks a stored password hash the way a login will read it, so a bad one fails the import, not a login. */
function checkPasswordHash(secretText: string, credentialText: string, path: string): void {
  const credentialPath = field(path, 'credentialData');
  const secretPath = field(path, 'secretData');
  const credential = passwordCredentialData(parseJsonText(credentialText, credentialPath), credentialPath);
  const secret = passwordSecretData(parseJsonText(secretText, secretPath), secretPath);
  if (!credential) throw new ShapeError(credentialPath, 'expected an object');
  if (!secret) throw new ShapeError(secretPath, 'expected an object');
  if (credential.algorithm === undefined) throw new ShapeError(field(credentialPath, 'algorithm'), 'required');
  if (credential.algorithm !== 'argon2' && credential.hashIterations === undefined) throw new ShapeError(field(credentialPath, 'hashIterations'), 'required');
  if (secret.value === undefined || secret.value === '' || !BASE64.test(secret.value)) throw new ShapeError(field(secretPath, 'value'), 'expected a base64 hash');
  if (secret.salt !== undefined && !BASE64.test(secret.salt)) throw new ShapeError(field(secretPath, 'salt'), 'expected base64');
  // The work a login will do for this credential is bounded here, at the edge, not found out by a stalled login.
  const checked = passwordHashCost({ credentialData: { ...credential, algorithm: credential.algorithm }, secretData: { ...secret, value: secret.value } });
  if ('problem' in checked) throw new ShapeError(field(path, checked.problem.field), checked.problem.reason);
}

/**
 * Turns one credential of a user representation into what the store keeps, or into a plaintext
 * password still to be hashed. `position` orders credentials that give no priority.
 */
export function parseCredential(rep: CredentialRepresentation, path: string, position: number, nowMs: number): ParsedCredential {
  const type = rep.type ?? (rep.value !== undefined ? 'password' : undefined);
  if (type === undefined) throw new ShapeError(field(path, 'type'), 'required');
  const id = rep.id ?? newId();
  const createdDate = rep.createdDate ?? nowMs;
  const priority = rep.priority ?? (type === 'password' ? PASSWORD_PRIORITY : PASSWORD_PRIORITY * (position + 2));
  if (rep.value !== undefined) {
    if (type !== 'password') throw new ShapeError(field(path, 'value'), `a clear-text value is only accepted for type 'password'`);
    if (rep.value.trim() === '') throw new ShapeError(field(path, 'value'), 'Empty password not allowed');
    return { kind: 'plain', password: { id, value: rep.value, temporary: rep.temporary === true, userLabel: rep.userLabel, createdDate } };
  }
  let secretData = rep.secretData;
  let credentialData = rep.credentialData;
  if (secretData === undefined && rep.hashedSaltedValue !== undefined) {
    secretData = JSON.stringify({ value: rep.hashedSaltedValue, salt: rep.salt ?? '', additionalParameters: {} });
    credentialData = JSON.stringify({ hashIterations: rep.hashIterations ?? 27500, algorithm: rep.algorithm ?? 'pbkdf2-sha256', additionalParameters: {} });
  }
  if (secretData === undefined) throw new ShapeError(field(path, 'secretData'), 'required (or a clear-text value)');
  if (credentialData === undefined) throw new ShapeError(field(path, 'credentialData'), 'required');
  if (type === 'password' || type === 'password-history') checkPasswordHash(secretData, credentialData, path);
  else {
    parseJsonText(secretData, field(path, 'secretData'));
    parseJsonText(credentialData, field(path, 'credentialData'));
    // An OTP credential a login could not verify would lock its user out: refused here instead.
    const problem = type === OTP_TYPE ? otpCredentialProblem(secretData, credentialData) : undefined;
    if (problem) throw new ShapeError(path, problem);
  }
  return { kind: 'stored', credential: { id, type, userLabel: rep.userLabel, createdDate, secretData, credentialData, priority } };
}

/** The API view of a stored credential (admin and account APIs): `secretData` (the hash, the OTP seed) never leaves the server. */
export function toCredentialRepresentation(credential: StoredCredential): Record<string, unknown> {
  return {
    id: credential.id,
    type: credential.type,
    ...(credential.userLabel !== undefined ? { userLabel: credential.userLabel } : {}),
    createdDate: credential.createdDate,
    credentialData: credential.credentialData,
  };
}

/** The realm-file form of a stored credential (Keycloak exports secrets: the file is a backup). */
export function toCredentialExport(credential: StoredCredential): Record<string, unknown> {
  return {
    id: credential.id,
    type: credential.type,
    ...(credential.userLabel !== undefined ? { userLabel: credential.userLabel } : {}),
    createdDate: credential.createdDate,
    secretData: credential.secretData,
    credentialData: credential.credentialData,
    priority: credential.priority,
  };
}

/** Hashes a clear-text password with holdfast's (Keycloak 26's) argon2id parameters. */
export async function hashPlainPassword(password: PlainPassword, choice?: HashChoice): Promise<StoredCredential> {
  const hash = await hashPassword(password.value, choice);
  return {
    id: password.id,
    type: 'password',
    userLabel: password.userLabel,
    createdDate: password.createdDate,
    secretData: JSON.stringify(hash.secretData),
    credentialData: JSON.stringify(hash.credentialData),
    priority: PASSWORD_PRIORITY,
  };
}

/** A stored password credential in the parsed form the login path reads. */
export function toPasswordCredential(credential: StoredCredential): PasswordCredential {
  return {
    id: credential.id,
    createdDate: credential.createdDate,
    userLabel: credential.userLabel,
    credentialData: JSON.parse(credential.credentialData),
    secretData: JSON.parse(credential.secretData),
  };
}
