/**
 * Checks a one-time code against a user's OTP credentials. TOTP accepts the current time step
 * and `otpPolicyLookAheadWindow` steps either side; a code that matched is claimed in the store
 * (primary key, so once cluster-wide) until its window has passed, unless the realm sets
 * `otpPolicyCodeReusable`. HOTP accepts the stored counter and the look-ahead window above it
 * and moves the counter past the match with a compare-and-set, so a code counts once even when
 * two nodes see it at the same moment.
 */
import type { Context } from '../../context.ts';
import { constantTimeEqual } from '../../crypto/index.ts';
import type { LoadedRealm, StoredCredential, User } from '../../realm/index.ts';
import { oneTimeCode, timeStep } from './one-time-code.ts';
import { openCredential, otpCredential, OTP_TYPE, type OtpCredential } from './otp-credential.ts';

/** The user's OTP credentials, opened and parsed (unusable ones left out), by priority. */
export async function otpCredentialsOf(ctx: Context, realm: LoadedRealm, user: User): Promise<OtpCredential[]> {
  const stored = await ctx.realms.repository.listCredentials(user.id);
  return stored
    .filter((c) => c.type === OTP_TYPE)
    .map((c: StoredCredential) => otpCredential(openCredential(c, realm.keys.sealKey)))
    .filter((c): c is OtpCredential => c !== undefined);
}

/** Whether the user has an OTP credential (the OTP step is needed then). */
export async function hasOtp(ctx: Context, user: User): Promise<boolean> {
  return (await ctx.realms.repository.listCredentials(user.id)).some((c) => c.type === OTP_TYPE);
}

async function verifyTotp(ctx: Context, realm: LoadedRealm, credential: OtpCredential, code: string): Promise<boolean> {
  const { data, key } = credential;
  const settings = realm.realm.settings;
  const nowSeconds = Math.floor(ctx.clock.nowMs() / 1000);
  const current = timeStep(nowSeconds, data.period);
  const window = settings.otpPolicyLookAheadWindow;
  for (let step = current - window; step <= current + window; step++) {
    if (!constantTimeEqual(oneTimeCode(key, step, data.digits, data.algorithm), code)) continue;
    if (settings.otpPolicyCodeReusable) return true;
    // Claimed until no window can accept this step any more.
    return ctx.realms.repository.claimOtpCode(credential.stored.id, String(step), (step + window + 1) * data.period, nowSeconds);
  }
  return false;
}

async function verifyHotp(ctx: Context, realm: LoadedRealm, credential: OtpCredential, code: string): Promise<boolean> {
  const { data, key, stored } = credential;
  const window = realm.realm.settings.otpPolicyLookAheadWindow;
  for (let counter = data.counter; counter <= data.counter + window; counter++) {
    if (!constantTimeEqual(oneTimeCode(key, counter, data.digits, data.algorithm), code)) continue;
    return ctx.realms.repository.replaceCredentialData(stored.id, stored.credentialData, JSON.stringify({ ...data, counter: counter + 1 }));
  }
  return false;
}

/**
 * Whether `code` is a valid, unused code of one of the user's OTP credentials (the one
 * `credentialId` names, when given).
 */
export async function verifyOtp(ctx: Context, realm: LoadedRealm, user: User, code: string, credentialId?: string): Promise<boolean> {
  if (!/^\d{6,8}$/.test(code)) return false;
  const credentials = (await otpCredentialsOf(ctx, realm, user)).filter((c) => credentialId === undefined || credentialId === '' || c.stored.id === credentialId);
  for (const credential of credentials) {
    if (code.length !== credential.data.digits) continue;
    const valid = credential.data.subType === 'hotp' ? await verifyHotp(ctx, realm, credential, code) : await verifyTotp(ctx, realm, credential, code);
    if (valid) return true;
  }
  return false;
}

/**
 * Verifies a code against a secret not yet stored (the setup page), with the realm's policy.
 * Returns the counter the new credential starts at (past the HOTP code just used; 0 for TOTP),
 * or undefined when the code is wrong.
 */
export function verifySetupCode(ctx: Context, realm: LoadedRealm, secret: string, code: string): number | undefined {
  const settings = realm.realm.settings;
  const key = Buffer.from(secret, 'utf8');
  const window = settings.otpPolicyLookAheadWindow;
  const matches = (counter: number) => constantTimeEqual(oneTimeCode(key, counter, settings.otpPolicyDigits, settings.otpPolicyAlgorithm), code);
  if (settings.otpPolicyType === 'hotp') {
    for (let c = settings.otpPolicyInitialCounter; c <= settings.otpPolicyInitialCounter + window; c++) if (matches(c)) return c + 1;
    return undefined;
  }
  const current = timeStep(Math.floor(ctx.clock.nowMs() / 1000), settings.otpPolicyPeriod);
  for (let step = current - window; step <= current + window; step++) if (matches(step)) return 0;
  return undefined;
}
