/**
 * A protocol mapper as Keycloak stores one (ProtocolMapperRepresentation), and which tokens it
 * writes to. The flags are read as Keycloak 26 reads them (OIDCAttributeMapperHelper): an absent
 * `access.token.claim` means yes (mappers from before the flag existed), an absent
 * `introspection.token.claim` follows the access token, every other absent flag means no.
 */
export interface ProtocolMapper {
  id: string;
  name: string;
  protocol: string;
  /** The mapper type: Keycloak's providerId, e.g. `oidc-usermodel-attribute-mapper`. */
  protocolMapper: string;
  consentRequired?: boolean;
  consentText?: string;
  config: Record<string, string>;
}

/** What a mapper can write to: the three tokens, userinfo, and the token response itself. */
export type TokenKind = 'access' | 'lightweight' | 'id' | 'userinfo' | 'introspection' | 'response';

const isTrue = (value: string | undefined): boolean => value !== undefined && value.toLowerCase() === 'true';

export function writesTo(config: Record<string, string>, kind: TokenKind): boolean {
  switch (kind) {
    case 'access':
      return config['access.token.claim'] === undefined || isTrue(config['access.token.claim']);
    case 'lightweight':
      return writesTo(config, 'access') && isTrue(config['lightweight.claim']);
    case 'id':
      return isTrue(config['id.token.claim']);
    case 'userinfo':
      return isTrue(config['userinfo.token.claim']);
    case 'introspection':
      return config['introspection.token.claim'] === undefined ? writesTo(config, 'access') : isTrue(config['introspection.token.claim']);
    case 'response':
      return isTrue(config['access.tokenResponse.claim']);
  }
}

export const configFlag = (config: Record<string, string>, name: string, fallback = false): boolean =>
  config[name] === undefined || config[name] === '' ? fallback : isTrue(config[name]);
