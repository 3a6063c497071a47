/**
 * What the realm's OTP policy (`otpPolicy*`) means for the setup page and the realm
 * representation: the `otpauth://` URI an authenticator app scans, the key shown for manual
 * entry, and which of Keycloak's listed apps support the policy (`otpSupportedApplications`).
 */
import type { RealmSettings } from '../../realm/index.ts';
import { base32Encode } from './one-time-code.ts';

/** Keycloak's message keys of the apps, as its realm representation lists them. */
export function otpSupportedApplications(settings: RealmSettings): string[] {
  const plain = settings.otpPolicyAlgorithm === 'HmacSHA1' && settings.otpPolicyDigits === 6 && (settings.otpPolicyType === 'hotp' || settings.otpPolicyPeriod === 30);
  const apps = ['totpAppFreeOTPName'];
  if (plain) apps.push('totpAppGoogleName');
  if (plain && settings.otpPolicyType === 'totp') apps.push('totpAppMicrosoftAuthenticatorName');
  return apps;
}

/** The key as apps take it: base32 of the secret's bytes. */
export function manualKey(secret: string): string {
  return base32Encode(Buffer.from(secret, 'utf8'));
}

/** Keycloak's manual-entry form of the key: base32 in groups of four. */
export function groupedKey(secret: string): string {
  return manualKey(secret).replace(/(.{4})(?=.)/g, '$1 ');
}

export function otpAuthUri(settings: RealmSettings, realmLabel: string, username: string, secret: string): string {
  const label = `${encodeURIComponent(realmLabel)}:${encodeURIComponent(username)}`;
  const params = new URLSearchParams({
    secret: manualKey(secret),
    digits: String(settings.otpPolicyDigits),
    algorithm: settings.otpPolicyAlgorithm.replace(/^Hmac/, ''),
    issuer: realmLabel,
  });
  if (settings.otpPolicyType === 'hotp') params.set('counter', String(settings.otpPolicyInitialCounter));
  else params.set('period', String(settings.otpPolicyPeriod));
  return `otpauth://${settings.otpPolicyType}/${label}?${params}`;
}
