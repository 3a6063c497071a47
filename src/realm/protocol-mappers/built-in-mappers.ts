/**
 * The protocol mappers of Keycloak 26's built-in OIDC client scopes, as a fresh realm of Keycloak
 * 26.7 lists them (names, types and config), so that tokens carry the claims Keycloak's do and a
 * realm exported from either server has the same mappers. Ids are fresh per realm.
 */
import { newId } from '../../crypto/index.ts';
import type { ProtocolMapper } from './mapper-model.ts';

const OIDC = 'openid-connect';

type MapperTemplate = Omit<ProtocolMapper, 'id'>;
const m = (name: string, protocolMapper: string, config: Record<string, string>): MapperTemplate => ({ name, protocol: OIDC, protocolMapper, consentRequired: false, config });

const BUILT_IN_MAPPERS: Record<string, MapperTemplate[]> = {
  profile: [
    m("middle name", "oidc-usermodel-attribute-mapper", { "introspection.token.claim": "true", "userinfo.token.claim": "true", "user.attribute": "middleName", "id.token.claim": "true", "access.token.claim": "true", "claim.name": "middle_name", "jsonType.label": "String" }),
    m("username", "oidc-usermodel-attribute-mapper", { "introspection.token.claim": "true", "userinfo.token.claim": "true", "user.attribute": "username", "id.token.claim": "true", "access.token.claim": "true", "claim.name": "preferred_username", "jsonType.label": "String" }),
    m("profile", "oidc-usermodel-attribute-mapper", { "introspection.token.claim": "true", "userinfo.token.claim": "true", "user.attribute": "profile", "id.token.claim": "true", "access.token.claim": "true", "claim.name": "profile", "jsonType.label": "String" }),
    m("nickname", "oidc-usermodel-attribute-mapper", { "introspection.token.claim": "true", "userinfo.token.claim": "true", "user.attribute": "nickname", "id.token.claim": "true", "access.token.claim": "true", "claim.name": "nickname", "jsonType.label": "String" }),
    m("birthdate", "oidc-usermodel-attribute-mapper", { "introspection.token.claim": "true", "userinfo.token.claim": "true", "user.attribute": "birthdate", "id.token.claim": "true", "access.token.claim": "true", "claim.name": "birthdate", "jsonType.label": "String" }),
    m("zoneinfo", "oidc-usermodel-attribute-mapper", { "introspection.token.claim": "true", "userinfo.token.claim": "true", "user.attribute": "zoneinfo", "id.token.claim": "true", "access.token.claim": "true", "claim.name": "zoneinfo", "jsonType.label": "String" }),
    m("given name", "oidc-usermodel-attribute-mapper", { "introspection.token.claim": "true", "userinfo.token.claim": "true", "user.attribute": "firstName", "id.token.claim": "true", "access.token.claim": "true", "claim.name": "given_name", "jsonType.label": "String" }),
    m("website", "oidc-usermodel-attribute-mapper", { "introspection.token.claim": "true", "userinfo.token.claim": "true", "user.attribute": "website", "id.token.claim": "true", "access.token.claim": "true", "claim.name": "website", "jsonType.label": "String" }),
    m("picture", "oidc-usermodel-attribute-mapper", { "introspection.token.claim": "true", "userinfo.token.claim": "true", "user.attribute": "picture", "id.token.claim": "true", "access.token.claim": "true", "claim.name": "picture", "jsonType.label": "String" }),
    m("updated at", "oidc-usermodel-attribute-mapper", { "introspection.token.claim": "true", "userinfo.token.claim": "true", "user.attribute": "updatedAt", "id.token.claim": "true", "access.token.claim": "true", "claim.name": "updated_at", "jsonType.label": "long" }),
    m("full name", "oidc-full-name-mapper", { "id.token.claim": "true", "introspection.token.claim": "true", "access.token.claim": "true", "userinfo.token.claim": "true" }),
    m("locale", "oidc-usermodel-attribute-mapper", { "introspection.token.claim": "true", "userinfo.token.claim": "true", "user.attribute": "locale", "id.token.claim": "true", "access.token.claim": "true", "claim.name": "locale", "jsonType.label": "String" }),
    m("family name", "oidc-usermodel-attribute-mapper", { "introspection.token.claim": "true", "userinfo.token.claim": "true", "user.attribute": "lastName", "id.token.claim": "true", "access.token.claim": "true", "claim.name": "family_name", "jsonType.label": "String" }),
    m("gender", "oidc-usermodel-attribute-mapper", { "introspection.token.claim": "true", "userinfo.token.claim": "true", "user.attribute": "gender", "id.token.claim": "true", "access.token.claim": "true", "claim.name": "gender", "jsonType.label": "String" }),
  ],
  acr: [
    m("acr loa level", "oidc-acr-mapper", { "id.token.claim": "true", "introspection.token.claim": "true", "access.token.claim": "true" }),
  ],
  organization: [
    m("organization", "oidc-organization-membership-mapper", { "id.token.claim": "true", "introspection.token.claim": "true", "access.token.claim": "true", "claim.name": "organization", "jsonType.label": "String", "multivalued": "true" }),
  ],
  email: [
    m("email verified", "oidc-usermodel-property-mapper", { "introspection.token.claim": "true", "userinfo.token.claim": "true", "user.attribute": "emailVerified", "id.token.claim": "true", "access.token.claim": "true", "claim.name": "email_verified", "jsonType.label": "boolean" }),
    m("email", "oidc-usermodel-attribute-mapper", { "introspection.token.claim": "true", "userinfo.token.claim": "true", "user.attribute": "email", "id.token.claim": "true", "access.token.claim": "true", "claim.name": "email", "jsonType.label": "String" }),
  ],
  offline_access: [],
  address: [
    m("address", "oidc-address-mapper", { "user.attribute.formatted": "formatted", "user.attribute.country": "country", "introspection.token.claim": "true", "user.attribute.postal_code": "postal_code", "userinfo.token.claim": "true", "user.attribute.street": "street", "id.token.claim": "true", "user.attribute.region": "region", "access.token.claim": "true", "user.attribute.locality": "locality" }),
  ],
  phone: [
    m("phone number verified", "oidc-usermodel-attribute-mapper", { "introspection.token.claim": "true", "userinfo.token.claim": "true", "user.attribute": "phoneNumberVerified", "id.token.claim": "true", "access.token.claim": "true", "claim.name": "phone_number_verified", "jsonType.label": "boolean" }),
    m("phone number", "oidc-usermodel-attribute-mapper", { "introspection.token.claim": "true", "userinfo.token.claim": "true", "user.attribute": "phoneNumber", "id.token.claim": "true", "access.token.claim": "true", "claim.name": "phone_number", "jsonType.label": "String" }),
  ],
  "web-origins": [
    m("allowed web origins", "oidc-allowed-origins-mapper", { "introspection.token.claim": "true", "access.token.claim": "true" }),
  ],
  roles: [
    m("audience resolve", "oidc-audience-resolve-mapper", { "introspection.token.claim": "true", "access.token.claim": "true" }),
    m("realm roles", "oidc-usermodel-realm-role-mapper", { "user.attribute": "foo", "introspection.token.claim": "true", "access.token.claim": "true", "claim.name": "realm_access.roles", "jsonType.label": "String", "multivalued": "true" }),
    m("client roles", "oidc-usermodel-client-role-mapper", { "user.attribute": "foo", "introspection.token.claim": "true", "access.token.claim": "true", "claim.name": "resource_access.${client_id}.roles", "jsonType.label": "String", "multivalued": "true" }),
  ],
  basic: [
    m("sub", "oidc-sub-mapper", { "introspection.token.claim": "true", "access.token.claim": "true" }),
    m("auth_time", "oidc-usersessionmodel-note-mapper", { "user.session.note": "AUTH_TIME", "id.token.claim": "true", "introspection.token.claim": "true", "access.token.claim": "true", "claim.name": "auth_time", "jsonType.label": "long" }),
  ],
  "microprofile-jwt": [
    m("groups", "oidc-usermodel-realm-role-mapper", { "introspection.token.claim": "true", "multivalued": "true", "user.attribute": "foo", "id.token.claim": "true", "access.token.claim": "true", "claim.name": "groups", "jsonType.label": "String" }),
    m("upn", "oidc-usermodel-attribute-mapper", { "introspection.token.claim": "true", "userinfo.token.claim": "true", "user.attribute": "username", "id.token.claim": "true", "access.token.claim": "true", "claim.name": "upn", "jsonType.label": "String" }),
  ],
};

/** Fresh copies of a built-in scope's mappers (none for a name that is not a built-in scope). */
export function builtInMappers(scopeName: string): ProtocolMapper[] {
  const templates = Object.hasOwn(BUILT_IN_MAPPERS, scopeName) ? BUILT_IN_MAPPERS[scopeName] : [];
  return templates.map((t) => ({ id: newId(), ...t, config: { ...t.config } }));
}
