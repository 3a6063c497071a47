/**
 * The protocol mapper types holdfast applies to tokens (src/realm/protocol-mappers), as
 * `/admin/serverinfo` lists them under `protocolMapperTypes`, and the mappers of the built-in
 * client scopes under `builtinProtocolMappers`.
 */
import { builtInMappers, builtInScopeNames, supportedMapperTypes } from '../../realm/index.ts';


/** One configurable property of a mapper, as Keycloak's ConfigPropertyRepresentation. */
export interface ConfigProperty {
  name: string;
  label: string;
  helpText: string;
  type: string;
  defaultValue?: string;
  options?: string[];
  secret: boolean;
  required: boolean;
  readOnly: boolean;
}

export interface ProtocolMapperType {
  id: string;
  name: string;
  category: string;
  helpText: string;
  priority: number;
  properties: ConfigProperty[];
}

export interface BuiltinProtocolMapper {
  name: string;
  protocol: string;
  protocolMapper: string;
  consentRequired: boolean;
  config: Record<string, string>;
}

/** By protocol (`openid-connect`), as Keycloak keys them. */
export const protocolMapperTypes: Record<string, ProtocolMapperType[]> = {
  'openid-connect': supportedMapperTypes().map((t) => ({ id: t.providerId, name: t.providerId, category: 'Token mapper', helpText: '', priority: t.priority, properties: [] })),
};
export const builtinProtocolMappers: Record<string, BuiltinProtocolMapper[]> = {
  'openid-connect': [...builtInScopeNames('default'), ...builtInScopeNames('optional')].flatMap((scope) =>
    builtInMappers(scope).map(({ name, protocol, protocolMapper, consentRequired, config }) => ({ name, protocol, protocolMapper, consentRequired: consentRequired ?? false, config })),
  ),
};
