/**
 * The identity-provider mappers as a brokered login runs them (Keycloak's IdentityProviderMapper
 * phases): the Username Template Importer rewrites the brokered username before anything is
 * looked up; Hardcoded Role, Hardcoded Group, Hardcoded Attribute, Attribute Importer, Claim to
 * Role and Advanced Claim to Role/Group shape the user on its first login, and again on later
 * logins when the mapper's sync mode (INHERIT: the provider's) says so: FORCE re-applies
 * everything, IMPORT nothing, LEGACY the hardcoded grants and the claim mappers, as Keycloak's
 * legacy mode still runs them. A claim mapper whose claims no longer match takes its role or
 * group away on such a later login. Claims are read from the ID token and user info; nested
 * claims are written with dots, a literal dot as `\.`; advanced mappers' `claims` is Keycloak's
 * JSON list of `{key, value}`, compared whole as regular expressions with `are.claim.values.regex`.
 */
import type { IdentityProvider, IdentityProviderMapper } from '../realm/index.ts';
import type { BrokeredIdentity } from './brokered-identity.ts';

/**
 * What the mappers do to a user: profile fields, attributes (null: remove), realm or client roles
 * by Keycloak's name and groups by path to grant, and those a claim mapper takes away again when
 * its claims no longer match on a synced login.
 */
export interface MappedChanges {
  fields: Partial<Record<'email' | 'firstName' | 'lastName' | 'username', string>>;
  attributes: Record<string, string[] | null>;
  roles: string[];
  groups: string[];
  revokedRoles: string[];
  leftGroups: string[];
}

/** Mappers that grant on every synced login even in LEGACY mode, as Keycloak's legacy mode keeps doing. */
const LEGACY_GRANTS = new Set(['oidc-hardcoded-role-idp-mapper', 'oidc-hardcoded-group-idp-mapper']);
/** Claim mappers that grant when their claims match and, on a synced login, take away when they do not. */
const CLAIM_GRANTS = new Set(['oidc-role-idp-mapper', 'oidc-advanced-role-idp-mapper', 'oidc-advanced-group-idp-mapper']);

const PROFILE_FIELDS = new Set(['email', 'firstName', 'lastName', 'username']);

/** The claim at `path` (`address.country`, `a\.b` for a claim named "a.b"), or undefined. */
export function claimAt(claims: Record<string, unknown>, path: string): unknown {
  const parts = path.split(/(?<!\\)\./).map((p) => p.replace(/\\\./g, '.'));
  let value: unknown = claims;
  for (const part of parts) {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function claimValues(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.flatMap((v) => (typeof v === 'string' ? [v] : typeof v === 'number' || typeof v === 'boolean' ? [String(v)] : []));
}

/** Whether one claim's value (any element of a list) is `expected`, or matches it whole as a regular expression. */
function claimMatches(claims: Record<string, unknown>, path: string, expected: string, regex: boolean): boolean {
  const values = claimValues(claimAt(claims, path));
  if (!regex) return values.includes(expected);
  let pattern: RegExp;
  try {
    pattern = new RegExp(`^(?:${expected})$`);
  } catch {
    return false;
  }
  return values.some((v) => pattern.test(v));
}

/** The `claims` of an advanced mapper (Keycloak's JSON list of {key, value}); an unreadable list matches nothing. */
function requiredClaims(config: Record<string, string>): Array<{ key: string; value: string }> | undefined {
  try {
    const list: unknown = JSON.parse(config.claims ?? '[]');
    if (!Array.isArray(list)) return undefined;
    const pairs = list.filter((e): e is { key: string; value: string } => e !== null && typeof e === 'object' && typeof e.key === 'string' && typeof e.value === 'string');
    return pairs.length === list.length ? pairs : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a claim mapper's claims all match the identity. */
function claimsApply(mapper: IdentityProviderMapper, claims: Record<string, unknown>): boolean {
  const config = mapper.config;
  if (mapper.identityProviderMapper === 'oidc-role-idp-mapper') return config.claim !== undefined && config.claim !== '' && claimMatches(claims, config.claim, config['claim.value'] ?? '', false);
  const required = requiredClaims(config);
  if (!required || required.length === 0) return false;
  const regex = config['are.claim.values.regex'] === 'true';
  return required.every(({ key, value }) => claimMatches(claims, key, value, regex));
}

function syncModeOf(mapper: IdentityProviderMapper, provider: IdentityProvider): string {
  const own = mapper.config.syncMode;
  return own && own !== 'INHERIT' ? own : (provider.config.syncMode ?? 'LEGACY');
}

function mappersOf(mappers: readonly IdentityProviderMapper[], provider: IdentityProvider): IdentityProviderMapper[] {
  return mappers.filter((m) => m.identityProviderAlias === provider.alias);
}

/** `${ALIAS}`, `${CLAIM.name}` with `| lowercase` / `| uppercase`; an unknown claim is empty. */
function expandTemplate(template: string, identity: BrokeredIdentity): string {
  return template.replace(/\$\{([^}|]+)(?:\s*\|\s*(lowercase|uppercase))?\s*\}/g, (_, name: string, transform?: string) => {
    const key = name.trim();
    const value = key === 'ALIAS' ? identity.alias : key === 'USERNAME' ? (identity.username ?? '') : key.startsWith('CLAIM.') ? (claimValues(claimAt(identity.claims ?? {}, key.slice(6)))[0] ?? '') : '';
    return transform === 'lowercase' ? value.toLowerCase() : transform === 'uppercase' ? value.toUpperCase() : value;
  });
}

/** The identity after the Username Template Importers (target LOCAL or BROKER_USERNAME: the username; BROKER_ID: the id). */
export function preprocessIdentity(mappers: readonly IdentityProviderMapper[], provider: IdentityProvider, identity: BrokeredIdentity): BrokeredIdentity {
  let result = identity;
  for (const mapper of mappersOf(mappers, provider)) {
    if (mapper.identityProviderMapper !== 'oidc-username-idp-mapper') continue;
    const value = expandTemplate(mapper.config.template ?? '${ALIAS}.${CLAIM.preferred_username}', result);
    if (value === '') continue;
    result = mapper.config.target === 'BROKER_ID' ? { ...result, id: value } : { ...result, username: value.toLowerCase() };
  }
  return result;
}

/** What the mappers change for a first login (`firstLogin`) or a later one. */
export function mappedChanges(mappers: readonly IdentityProviderMapper[], provider: IdentityProvider, identity: BrokeredIdentity, firstLogin: boolean): MappedChanges {
  const changes: MappedChanges = { fields: {}, attributes: {}, roles: [], groups: [], revokedRoles: [], leftGroups: [] };
  const claims = identity.claims ?? {};
  for (const mapper of mappersOf(mappers, provider)) {
    const mode = syncModeOf(mapper, provider);
    const type = mapper.identityProviderMapper;
    // Keycloak's legacy mode still re-applies the hardcoded grants and the claim-to-role/group mappers.
    const applies = firstLogin || mode === 'FORCE' || (mode === 'LEGACY' && (LEGACY_GRANTS.has(type) || CLAIM_GRANTS.has(type)));
    if (!applies) continue;
    if (CLAIM_GRANTS.has(type)) {
      const target = type === 'oidc-advanced-group-idp-mapper' ? mapper.config.group : mapper.config.role;
      if (!target) continue;
      const matched = claimsApply(mapper, claims);
      const into = type === 'oidc-advanced-group-idp-mapper' ? (matched ? changes.groups : changes.leftGroups) : matched ? changes.roles : changes.revokedRoles;
      if (matched || !firstLogin) into.push(target);
      continue;
    }
    if (type === 'oidc-hardcoded-group-idp-mapper') {
      if (mapper.config.group) changes.groups.push(mapper.config.group);
      continue;
    }
    const setAttribute = (name: string | undefined, values: string[] | null) => {
      if (!name) return;
      if (PROFILE_FIELDS.has(name)) {
        if (values && values[0] !== undefined) changes.fields[name as keyof MappedChanges['fields']] = values[0];
      } else changes.attributes[name] = values;
    };
    if (type === 'oidc-hardcoded-role-idp-mapper' && mapper.config.role) changes.roles.push(mapper.config.role);
    else if (type === 'hardcoded-attribute-idp-mapper') setAttribute(mapper.config.attribute, [mapper.config['attribute.value'] ?? '']);
    else if (type === 'oidc-user-attribute-idp-mapper' && mapper.config.claim) {
      const values = claimValues(claimAt(claims, mapper.config.claim));
      if (values.length > 0) setAttribute(mapper.config['user.attribute'], values);
      else if (mapper.config['allow.nullable.property'] === 'true') setAttribute(mapper.config['user.attribute'], null);
    }
  }
  return changes;
}

/** The mapper types a login does not run yet, so that the admin sees what is ignored (logged once per login). */
export function mappersNotRun(mappers: readonly IdentityProviderMapper[], provider: IdentityProvider): string[] {
  const run = new Set(['oidc-username-idp-mapper', 'oidc-hardcoded-role-idp-mapper', 'hardcoded-attribute-idp-mapper', 'oidc-user-attribute-idp-mapper', 'oidc-hardcoded-group-idp-mapper', ...CLAIM_GRANTS]);
  return mappersOf(mappers, provider).filter((m) => !run.has(m.identityProviderMapper)).map((m) => m.name);
}
