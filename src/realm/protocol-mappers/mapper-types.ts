/**
 * The mapper types holdfast applies, by Keycloak providerId. A mapper of any other type (script
 * mappers, SAML mappers on an OIDC client or scope, pairwise subjects, …) would silently add
 * nothing to tokens, so the admin API refuses to create one and realm import can list it.
 */
import type { MapperType } from './mapper-type.ts';
import { acrMapper } from './types/acr.ts';
import { addressMapper } from './types/address.ts';
import { allowedOriginsMapper } from './types/allowed-origins.ts';
import { audienceResolveMapper } from './types/audience-resolve.ts';
import { audienceMapper } from './types/audience.ts';
import { clientRolesMapper } from './types/client-roles.ts';
import { fullNameMapper } from './types/full-name.ts';
import { groupMembershipMapper } from './types/group-membership.ts';
import { hardcodedClaimMapper } from './types/hardcoded-claim.ts';
import { hardcodedRoleMapper } from './types/hardcoded-role.ts';
import { organizationMapper } from './types/organization.ts';
import { realmRolesMapper } from './types/realm-roles.ts';
import { roleNameMapper } from './types/role-name.ts';
import { sessionNoteMapper } from './types/session-note.ts';
import { subMapper } from './types/sub.ts';
import { userAttributeMapper } from './types/user-attribute.ts';
import { userPropertyMapper } from './types/user-property.ts';

const TYPES = new Map<string, MapperType>(
  [
    userAttributeMapper,
    userPropertyMapper,
    fullNameMapper,
    groupMembershipMapper,
    realmRolesMapper,
    clientRolesMapper,
    audienceMapper,
    audienceResolveMapper,
    hardcodedClaimMapper,
    hardcodedRoleMapper,
    roleNameMapper,
    allowedOriginsMapper,
    sessionNoteMapper,
    subMapper,
    acrMapper,
    addressMapper,
    organizationMapper,
  ].map((t) => [t.providerId, t]),
);

export function mapperType(providerId: string): MapperType | undefined {
  return TYPES.get(providerId);
}

/** Whether holdfast applies mappers of this type to OIDC tokens. */
export function supportedMapperType(providerId: string): boolean {
  return TYPES.has(providerId);
}

/** Every type tokens honour, for `/admin/serverinfo`. */
export function supportedMapperTypes(): MapperType[] {
  return [...TYPES.values()];
}
