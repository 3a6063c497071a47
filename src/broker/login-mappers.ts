/**
 * The identity-provider mappers as a brokered login runs them (Keycloak's IdentityProviderMapper
 * phases): the Username Template Importer rewrites the brokered username before anything is
 * looked up; Hardcoded Role, Hardcoded Attribute and Attribute Importer shape the user on its
 * first login, and again on later logins when the mapper's sync mode (INHERIT: the provider's)
 * says so: FORCE re-applies everything, IMPORT nothing, LEGACY only the hardcoded roles, as
 * Keycloak's legacy mode still grants them. Claims are read from the ID token and user info;
 * nested claims are written with dots, a literal dot as `\.`.
 */
import type { IdentityProvider, IdentityProviderMapper } from '../realm/index.ts';
import type { BrokeredIdentity } from './brokered-identity.ts';

/** What the mappers do to a user: profile fields, attributes (null: remove), realm or client roles by Keycloak's name. */
export interface MappedChanges {
  fields: Partial<Record<'email' | 'firstName' | 'lastName' | 'username', string>>;
  attributes: Record<string, string[] | null>;
  roles: string[];
}

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
  const changes: MappedChanges = { fields: {}, attributes: {}, roles: [] };
  const claims = identity.claims ?? {};
  for (const mapper of mappersOf(mappers, provider)) {
    const mode = syncModeOf(mapper, provider);
    const type = mapper.identityProviderMapper;
    const applies = firstLogin || mode === 'FORCE' || (mode === 'LEGACY' && type === 'oidc-hardcoded-role-idp-mapper');
    if (!applies) continue;
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
  const run = new Set(['oidc-username-idp-mapper', 'oidc-hardcoded-role-idp-mapper', 'hardcoded-attribute-idp-mapper', 'oidc-user-attribute-idp-mapper']);
  return mappersOf(mappers, provider).filter((m) => !run.has(m.identityProviderMapper)).map((m) => m.name);
}
