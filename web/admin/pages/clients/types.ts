/** The admin API representations the client and client-scope pages read and write (the parts they use). */
export interface ProtocolMapperRep {
  id?: string;
  name: string;
  protocol: string;
  protocolMapper: string;
  consentRequired?: boolean;
  config: Record<string, string>;
}

export interface ClientRep {
  id: string;
  clientId: string;
  name?: string;
  description?: string;
  enabled?: boolean;
  protocol?: string;
  publicClient?: boolean;
  bearerOnly?: boolean;
  standardFlowEnabled?: boolean;
  implicitFlowEnabled?: boolean;
  directAccessGrantsEnabled?: boolean;
  serviceAccountsEnabled?: boolean;
  rootUrl?: string;
  baseUrl?: string;
  adminUrl?: string;
  redirectUris?: string[];
  webOrigins?: string[];
  attributes?: Record<string, string>;
  protocolMappers?: ProtocolMapperRep[];
  access?: { view: boolean; configure: boolean; manage: boolean };
}

export interface ClientScopeRep {
  id: string;
  name: string;
  description?: string;
  protocol?: string;
  attributes?: Record<string, string>;
  protocolMappers?: ProtocolMapperRep[];
}

export interface RoleRep {
  id: string;
  name: string;
  description?: string;
  composite?: boolean;
  clientRole?: boolean;
  containerId?: string;
}

export interface UserSessionRep {
  id: string;
  username: string;
  userId: string;
  ipAddress: string;
  start: number;
  lastAccess: number;
  rememberMe?: boolean;
  clients: Record<string, string>;
}

/** Keycloak keeps the post-logout redirect URIs in one attribute, `##`-separated. */
export const POST_LOGOUT_ATTRIBUTE = 'post.logout.redirect.uris';
export const DEVICE_GRANT_ATTRIBUTE = 'oauth2.device.authorization.grant.enabled';
