/**
 * Keycloak's OTP credential, byte for byte: type `otp`, `secretData` `{"value":"…"}` and
 * `credentialData` `{"subType":"totp","digits":6,"counter":0,"period":30,"algorithm":"HmacSHA1"}`
 * (plus `secretEncoding` `BASE32` on credentials whose value is base32; otherwise the key is the
 * value's UTF-8 bytes, as Keycloak generates them). At rest the `secretData` text is sealed
 * under the realm's data key, bound to the credential's id, like client secrets; it is opened
 * only to verify a code and to export.
 */
import { randomBytes } from 'node:crypto';
import { open, seal } from '../../crypto/index.ts';
import type { RealmSettings, StoredCredential } from '../../realm/index.ts';
import { base32Decode } from './one-time-code.ts';

export const OTP_TYPE = 'otp';
/** Keycloak's priority for an OTP credential created at login (after the password's 10). */
const OTP_PRIORITY = 20;

export interface OtpCredentialData {
  subType: 'totp' | 'hotp';
  digits: number;
  counter: number;
  period: number;
  algorithm: string;
  secretEncoding?: string;
}

/** An OTP credential opened for use. */
export interface OtpCredential {
  stored: StoredCredential;
  data: OtpCredentialData;
  key: Buffer;
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

const sealContext = (credentialId: string) => `credential/${credentialId}`;

/** Whether a stored `secret_data` is sealed (written by holdfast) rather than Keycloak's plain JSON. */
function sealedBox(secretData: string): string | undefined {
  const parsed = JSON.parse(secretData) as { sealed?: unknown };
  return typeof parsed.sealed === 'string' ? parsed.sealed : undefined;
}

/** The credential as the store keeps it: OTP secrets sealed, everything else unchanged. */
export function sealCredential(credential: StoredCredential, sealKey: Buffer): StoredCredential {
  if (credential.type !== OTP_TYPE || sealedBox(credential.secretData) !== undefined) return credential;
  return { ...credential, secretData: JSON.stringify({ sealed: seal(sealKey, credential.secretData, sealContext(credential.id)) }) };
}

/** The credential as Keycloak has it (export, verification): OTP secrets opened. */
export function openCredential(credential: StoredCredential, sealKey: Buffer): StoredCredential {
  if (credential.type !== OTP_TYPE) return credential;
  const box = sealedBox(credential.secretData);
  return box === undefined ? credential : { ...credential, secretData: open(sealKey, box, sealContext(credential.id)) };
}

/** Parses an opened Keycloak OTP credential; undefined when it is not one holdfast can verify. */
export function otpCredential(stored: StoredCredential): OtpCredential | undefined {
  try {
    const secret = JSON.parse(stored.secretData) as { value?: unknown };
    const data = JSON.parse(stored.credentialData) as OtpCredentialData;
    if (typeof secret.value !== 'string' || secret.value === '') return undefined;
    if (data.subType !== 'totp' && data.subType !== 'hotp') return undefined;
    if (![6, 7, 8].includes(data.digits) || !Number.isSafeInteger(data.counter) || !(data.period > 0)) return undefined;
    const key = data.secretEncoding === 'BASE32' ? base32Decode(secret.value) : Buffer.from(secret.value, 'utf8');
    return key && key.length > 0 ? { stored, data, key } : undefined;
  } catch {
    return undefined;
  }
}

/** Checks an imported OTP credential the way a login will read it; returns the problem or undefined. */
export function otpCredentialProblem(secretData: string, credentialData: string): string | undefined {
  const parsed = otpCredential({ id: 'check', type: OTP_TYPE, createdDate: 0, priority: 0, secretData, credentialData });
  return parsed ? undefined : 'not an OTP credential holdfast can verify (needs secretData.value, credentialData subType totp|hotp, digits 6-8, counter, period)';
}

/** A secret as Keycloak generates one: 20 characters whose UTF-8 bytes are the key. */
export function newOtpSecret(): string {
  let secret = '';
  while (secret.length < 20) {
    // 248 = 4 × 62: rejecting larger bytes keeps every character equally likely.
    for (const byte of randomBytes(32)) if (byte < 248 && secret.length < 20) secret += ALPHANUMERIC[byte % 62];
  }
  return secret;
}

/** A new OTP credential of the realm's policy (Keycloak format, not yet sealed); `counter` is the next HOTP counter. */
export function newOtpCredential(id: string, secret: string, settings: RealmSettings, userLabel: string | undefined, nowMs: number, counter: number): StoredCredential {
  const data: OtpCredentialData = {
    subType: settings.otpPolicyType,
    digits: settings.otpPolicyDigits,
    counter,
    period: settings.otpPolicyPeriod,
    algorithm: settings.otpPolicyAlgorithm,
  };
  return { id, type: OTP_TYPE, userLabel, createdDate: nowMs, secretData: JSON.stringify({ value: secret }), credentialData: JSON.stringify(data), priority: OTP_PRIORITY };
}
