/**
 * The protocol mapper types holdfast applies to tokens, as `/admin/serverinfo` lists them under
 * `protocolMapperTypes` and `builtinProtocolMappers`. A mapper is listed only once tokens honour
 * it: mappers in realm files are stored but not applied yet, so the lists start empty and each
 * mapper module adds its entry here when it lands.
 */

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
export const protocolMapperTypes: Record<string, ProtocolMapperType[]> = { 'openid-connect': [] };
export const builtinProtocolMappers: Record<string, BuiltinProtocolMapper[]> = { 'openid-connect': [] };
