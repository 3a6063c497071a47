/**
 * What every mapper type module provides: Keycloak's providerId and priority, the tokens the type
 * can write to at all, and a compile step that reads the mapper's config once (when a realm's
 * claim plan is built) into a function that runs per token over the user. Role mappers (hardcoded
 * role, role name) change the token's roles before any claim is written, as Keycloak's priorities
 * order them; the roles they can put into tokens are named so that the admin API can check the
 * caller may grant them.
 */
import type { JwtClaims } from '../../crypto/index.ts';
import type { EffectiveRoles } from '../roles.ts';
import type { Client, RealmModel, Role, User } from '../types.ts';
import type { TokenKind } from './mapper-model.ts';

/** The user as mappers see them: their profile, groups, and the roles this token carries. */
export interface MapperInput {
  realm: RealmModel;
  client: Client;
  user: User;
  groupIds: readonly string[];
  /** After the client's scope limits and the role mappers. */
  roles: EffectiveRoles;
  /** Keycloak's user session notes: `AUTH_TIME`, and for service accounts `clientHost`, `clientAddress`, `client_id`. */
  notes: Readonly<Record<string, string>>;
  acr: string;
}

export interface MapperOutput {
  claims: JwtClaims;
  /** `aud` values, in the order mappers added them. */
  audience: string[];
}

export interface CompiledMapper {
  /** Changes the token's roles (a copy); runs before any `write`. */
  roles?: (roles: EffectiveRoles) => void;
  write?: (input: MapperInput, out: MapperOutput) => void;
}

export interface MapperType {
  providerId: string;
  /** Keycloak's ProtocolMapperUtils priorities: lower runs first. */
  priority: number;
  /** The tokens a mapper of this type can write to (Keycloak: the token-mapper interfaces it implements). */
  kinds: readonly TokenKind[];
  compile(config: Readonly<Record<string, string>>, model: RealmModel): CompiledMapper;
  /** Roles a mapper of this type with this config puts into tokens. */
  grantedRoles?(config: Readonly<Record<string, string>>, model: RealmModel): Role[];
}

/** Every token kind a claim mapper can write to (all but the role-only mappers). */
export const ALL_KINDS: readonly TokenKind[] = ['access', 'lightweight', 'id', 'userinfo', 'introspection'];
/** Access-token-only mappers (sub, allowed origins, audience resolve) also answer introspection. */
export const ACCESS_KINDS: readonly TokenKind[] = ['access', 'lightweight', 'introspection'];
