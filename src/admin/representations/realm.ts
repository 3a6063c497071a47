/**
 * Keycloak's RealmRepresentation, top level: the realm's settings under Keycloak's JSON names
 * (keycloak-compat.md §8.1), its attributes and its default role. A GET body can be PUT back as
 * it is; a PUT is partial, as in Keycloak, and attributes are merged rather than replaced.
 */
import { DEFAULT_REALM_SETTINGS, type Realm, type RealmSettings, type Role } from '../../realm/index.ts';
import { ASYMMETRIC_SIGNATURE_ALGORITHMS } from '../../crypto/index.ts';
import { boolean, integer, integerIn, list, oneOf, ShapeError, string, stringMap, type Check } from '../json-shape.ts';
import { otpSupportedApplications } from '../../authn/index.ts';
import { eventSettingChecks } from '../../events/index.ts';
import { maskedSmtpServer } from '../../mail/index.ts';
import { isLanguageTag, normalizeTag } from '../../theme/index.ts';
import { toRoleRepresentation } from './role.ts';
import { FLOW_BINDINGS } from './authentication-flow.ts';

/** Realm attributes holdfast keeps for itself; never shown, never overwritten by a body. */
const INTERNAL_ATTRIBUTES = new Set(['defaultRoleId']);

const MAX_LOCALES = 100;

/** A language tag (`de`, `pt-BR`), kept in its normal form; `""` (the admin console's "none") is no tag. */
const languageTag: Check<string> = (value, path) => {
  const tag = string(value, path);
  if (tag === undefined || tag === '') return tag;
  if (!isLanguageTag(tag)) throw new ShapeError(path, 'expected a language tag such as de or pt-BR');
  return normalizeTag(tag);
};

const supportedLocales: Check<string[]> = (value, path) => {
  const tags = list(languageTag)(value, path);
  if (tags && tags.length > MAX_LOCALES) throw new ShapeError(path, `at most ${MAX_LOCALES} locales`);
  return tags && [...new Set(tags.filter((t) => t !== ''))];
};

/** A theme folder's name; which themes exist is the server's business (an unknown one shows the default). */
const themeName: Check<string> = (value, path) => {
  const name = string(value, path);
  if (name !== undefined && name !== '' && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) throw new ShapeError(path, 'expected a theme name');
  return name;
};

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
  internationalizationEnabled: boolean,
  supportedLocales,
  defaultLocale: languageTag,
  loginTheme: themeName,
  attributes: stringMap,
};

export function visibleAttributes(settings: RealmSettings): Record<string, string> {
  return Object.fromEntries(Object.entries(settings.attributes).filter(([name]) => !INTERNAL_ATTRIBUTES.has(name)));
}

export function toRealmRepresentation(realm: Realm, defaultRole: Role | undefined): Record<string, unknown> {
  const { attributes: _attributes, requiredActions: _requiredActions, supportedLocales, ...settings } = realm.settings;
  return {
    id: realm.id,
    realm: realm.name,
    ...settings,
    // Keycloak leaves an empty list out.
    ...(supportedLocales.length > 0 ? { supportedLocales } : {}),
    otpSupportedApplications: otpSupportedApplications(realm.settings),
    smtpServer: maskedSmtpServer(settings.smtpServer),
    attributes: visibleAttributes(realm.settings),
    ...FLOW_BINDINGS,
    ...(defaultRole ? { defaultRole: toRoleRepresentation(defaultRole, true) } : {}),
  };
}

/** Applies the settings a body carries; fields it leaves out keep their value. */
export function applyRealmSettings(settings: RealmSettings, rep: Partial<BodySettings>): RealmSettings {
  const next: RealmSettings = { ...settings, attributes: { ...settings.attributes } };
  for (const name of Object.keys(realmSettingChecks) as Array<keyof BodySettings>) {
    if (name === 'attributes' || rep[name] === undefined) continue;
    // "" is how the admin console clears a choice: the setting goes back to none.
    if ((name === 'defaultLocale' || name === 'loginTheme') && rep[name] === '') {
      delete next[name];
      continue;
    }
    (next as unknown as Record<string, unknown>)[name] = rep[name];
  }
  for (const [name, value] of Object.entries(rep.attributes ?? {})) {
    if (!INTERNAL_ATTRIBUTES.has(name)) next.attributes[name] = value;
  }
  return next;
}
