/**
 * Keycloak's RealmRepresentation, top level: the realm's settings under Keycloak's JSON names
 * (keycloak-compat.md §8.1), its attributes and its default role. A GET body can be PUT back as
 * it is; a PUT is partial, as in Keycloak, and attributes are merged rather than replaced.
 */
import { DEFAULT_REALM_SETTINGS, type Realm, type RealmSettings, type Role } from '../../realm/index.ts';
import { ASYMMETRIC_SIGNATURE_ALGORITHMS } from '../../crypto/index.ts';
import { boolean, integer, integerIn, oneOf, string, stringMap, type Check } from '../json-shape.ts';
import { otpSupportedApplications } from '../../authn/index.ts';
import { eventSettingChecks } from '../../events/index.ts';
import { maskedSmtpServer } from '../../mail/index.ts';
import { toRoleRepresentation } from './role.ts';

/** Realm attributes holdfast keeps for itself; never shown, never overwritten by a body. */
const INTERNAL_ATTRIBUTES = new Set(['defaultRoleId']);

/** Settings a realm body carries directly; required actions have their own endpoints. */
export type BodySettings = Omit<RealmSettings, 'requiredActions'>;
type SettingChecks = { [K in keyof BodySettings]-?: Check<BodySettings[K]> };

/** A check per setting, derived from the defaults' types so a new setting cannot be forgotten. */
export const realmSettingChecks: SettingChecks = {
  ...(Object.fromEntries(
    Object.entries(DEFAULT_REALM_SETTINGS).filter(([name]) => name !== 'requiredActions').map(([name, value]) => [name, typeof value === 'boolean' ? boolean : typeof value === 'number' ? integer : string]),
  ) as unknown as SettingChecks),
  displayName: string,
  sslRequired: oneOf('external', 'none', 'all'),
  bruteForceStrategy: oneOf('MULTIPLE', 'LINEAR'),
  // Tokens must verify against the JWKS: no HMAC (or `none`) for access and ID tokens.
  defaultSignatureAlgorithm: oneOf(...ASYMMETRIC_SIGNATURE_ALGORITHMS),
  passwordPolicy: string,
  otpPolicyType: oneOf('totp', 'hotp'),
  otpPolicyAlgorithm: oneOf('HmacSHA1', 'HmacSHA256', 'HmacSHA512'),
  otpPolicyDigits: integerIn(6, 8),
  otpPolicyPeriod: integerIn(1, 600),
  otpPolicyLookAheadWindow: integerIn(0, 10),
  otpPolicyInitialCounter: integerIn(0, Number.MAX_SAFE_INTEGER),
  // Bounded so that no setting keeps device codes for long or lets a device poll without pause.
  oauth2DeviceCodeLifespan: integerIn(1, 2_592_000),
  oauth2DevicePollingInterval: integerIn(1, 3600),
  ...eventSettingChecks,
  smtpServer: stringMap,
  attributes: stringMap,
};

export function visibleAttributes(settings: RealmSettings): Record<string, string> {
  return Object.fromEntries(Object.entries(settings.attributes).filter(([name]) => !INTERNAL_ATTRIBUTES.has(name)));
}

export function toRealmRepresentation(realm: Realm, defaultRole: Role | undefined): Record<string, unknown> {
  const { attributes: _attributes, requiredActions: _requiredActions, ...settings } = realm.settings;
  return {
    id: realm.id,
    realm: realm.name,
    ...settings,
    otpSupportedApplications: otpSupportedApplications(realm.settings),
    smtpServer: maskedSmtpServer(settings.smtpServer),
    attributes: visibleAttributes(realm.settings),
    ...(defaultRole ? { defaultRole: toRoleRepresentation(defaultRole, true) } : {}),
  };
}

/** Applies the settings a body carries; fields it leaves out keep their value. */
export function applyRealmSettings(settings: RealmSettings, rep: Partial<BodySettings>): RealmSettings {
  const next: RealmSettings = { ...settings, attributes: { ...settings.attributes } };
  for (const name of Object.keys(realmSettingChecks) as Array<keyof BodySettings>) {
    if (name === 'attributes' || rep[name] === undefined) continue;
    (next as unknown as Record<string, unknown>)[name] = rep[name];
  }
  for (const [name, value] of Object.entries(rep.attributes ?? {})) {
    if (!INTERNAL_ATTRIBUTES.has(name)) next.attributes[name] = value;
  }
  return next;
}
