/**
 * Which mappers apply to one client and one set of granted client scopes, resolved once: the
 * client's own mappers and those of its granted scopes (of its protocol), compiled, sorted by
 * Keycloak's priority (stable, so listing order breaks ties), and split per token kind; plus the
 * roles a client without `fullScopeAllowed` may carry (its scope mappings, its own roles and its
 * granted scopes' scope mappings, with their composites: Keycloak's TokenManager.getAccess). Per
 * token only the compiled functions run over the user. Realm cache entries hold one plan per
 * (client, scope set) they met (realm-service.ts).
 */
import { effectiveRoles, type EffectiveRoles } from '../roles.ts';
import type { Client, ClientScope, RealmModel } from '../types.ts';
import { writesTo, type ProtocolMapper, type TokenKind } from './mapper-model.ts';
import { mapperType } from './mapper-types.ts';
import type { CompiledMapper, MapperInput, MapperOutput } from './mapper-type.ts';
import { copyRoles } from './token-roles.ts';

type Write = NonNullable<CompiledMapper['write']>;
type RoleChange = NonNullable<CompiledMapper['roles']>;

/** The kinds a plan answers: the access token is `lightweight` for clients that ask for it. */
export type PlanKind = 'access' | 'id' | 'userinfo' | 'introspection' | 'response';

const LIGHTWEIGHT = 'client.use.lightweight.access.token.enabled';

export interface ClaimPlan {
  /** The roles this client's tokens carry of the user's: limited by scope, then changed by role mappers. */
  tokenRoles(userRoles: EffectiveRoles): EffectiveRoles;
  /** Runs the mappers of a kind; `input.roles` must come from tokenRoles. */
  claims(kind: PlanKind, input: MapperInput): MapperOutput;
  /** Whether the client's tokens may carry this role (by its client's clientId, undefined for a realm role) at all. */
  allows(clientId: string | undefined, name: string): boolean;
  /** The mappers that apply, in the order they run (evaluate-scopes). */
  mappers: ReadonlyArray<{ mapper: ProtocolMapper; source: Client | ClientScope }>;
}

/** Roles allowed in tokens of a client without full scope, by name: realm roles, and client roles by clientId. */
interface RoleLimit {
  realm: Set<string>;
  clients: Map<string, Set<string>>;
}

function roleLimit(model: RealmModel, client: Client, scopes: readonly ClientScope[]): RoleLimit | undefined {
  if (client.fullScopeAllowed) return undefined;
  const own = [...model.rolesById.values()].filter((r) => r.clientId === client.id).map((r) => r.id);
  const allowed = effectiveRoles(model, [...client.scopeMappings, ...own, ...scopes.flatMap((s) => s.scopeMappings)]);
  return { realm: new Set(allowed.realmRoles), clients: new Map(Object.entries(allowed.clientRoles).map(([k, v]) => [k, new Set(v)])) };
}

function limited(roles: EffectiveRoles, limit: RoleLimit): EffectiveRoles {
  const clientRoles: Record<string, string[]> = {};
  for (const [clientId, names] of Object.entries(roles.clientRoles)) {
    const allowed = limit.clients.get(clientId);
    const kept = allowed ? names.filter((n) => allowed.has(n)) : [];
    if (kept.length > 0) clientRoles[clientId] = kept;
  }
  return { realmRoles: roles.realmRoles.filter((n) => limit.realm.has(n)), clientRoles };
}

export function buildClaimPlan(model: RealmModel, client: Client, scopes: readonly ClientScope[]): ClaimPlan {
  const sources: Array<{ mapper: ProtocolMapper; source: Client | ClientScope }> = [
    ...client.protocolMappers.map((mapper) => ({ mapper, source: client })),
    ...scopes.flatMap((scope) => scope.protocolMappers.map((mapper) => ({ mapper, source: scope }))),
  ];
  const protocol = client.protocol;
  const applied = sources
    .map((entry, order) => ({ ...entry, order, type: entry.mapper.protocol === protocol ? mapperType(entry.mapper.protocolMapper) : undefined }))
    .filter((e): e is typeof e & { type: NonNullable<typeof e.type> } => e.type !== undefined)
    .sort((a, b) => a.type.priority - b.type.priority || a.order - b.order);

  const roleChanges: RoleChange[] = [];
  const writes: Record<TokenKind, Write[]> = { access: [], lightweight: [], id: [], userinfo: [], introspection: [], response: [] };
  for (const { mapper, type } of applied) {
    const compiled = type.compile(mapper.config, model);
    if (compiled.roles) roleChanges.push(compiled.roles);
    if (!compiled.write) continue;
    for (const kind of type.kinds) if (writesTo(mapper.config, kind)) writes[kind].push(compiled.write);
  }
  const accessKind: TokenKind = client.attributes[LIGHTWEIGHT] === 'true' ? 'lightweight' : 'access';
  const limit = roleLimit(model, client, scopes);

  return {
    mappers: applied.map(({ mapper, source }) => ({ mapper, source })),
    allows(clientId, name) {
      if (!limit) return true;
      return clientId === undefined ? limit.realm.has(name) : (limit.clients.get(clientId)?.has(name) ?? false);
    },
    tokenRoles(userRoles) {
      if (!limit && roleChanges.length === 0) return userRoles;
      const roles = limit ? limited(userRoles, limit) : copyRoles(userRoles);
      for (const change of roleChanges) change(roles);
      return roles;
    },
    claims(kind, input) {
      const out: MapperOutput = { claims: {}, audience: [] };
      for (const write of writes[kind === 'access' ? accessKind : kind]) write(input, out);
      return out;
    },
  };
}
