/**
 * Client authentication at the token, introspection, revocation and logout endpoints:
 * `client_secret_basic`, `client_secret_post`, or `client_id` alone for public clients.
 * Secrets are compared as SHA-256 hashes in constant time; every failure for an existing or
 * unknown client reads the same, so the endpoint cannot be used to discover clients. A client of
 * another protocol (SAML, imported with the operator's override) is never served, as in Keycloak.
 */
import type { FastifyRequest } from 'fastify';
import { INVALID_CLIENT_CREDENTIALS, invalidClient, invalidRequest, unauthorizedClient } from '../errors/index.ts';
import { matchesClientSecret } from '../realm/realm-factory.ts';
import type { Form } from '../http/form.ts';
import type { LoadedRealm } from '../realm/realm-service.ts';
import type { Client } from '../realm/types.ts';
import { OIDC_PROTOCOL } from '../realm/index.ts';

/** Form-URL decoding of one part of a Basic credential (admin clients encode spaces as `+`). */
function formDecode(part: string): string {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    throw invalidClient(INVALID_CLIENT_CREDENTIALS);
  }
}

function basicCredentials(request: FastifyRequest): { clientId: string; secret: string } | undefined {
  const header = request.headers.authorization;
  if (!header || !/^basic /i.test(header)) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw invalidRequest('Invalid Basic authentication header');
  return { clientId: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
}

export function authenticateClient(realm: LoadedRealm, request: FastifyRequest, form: Form, nowSeconds: number): Client {
  const basic = basicCredentials(request);
  const clientId = basic?.clientId ?? form.get('client_id');
  const secret = basic?.secret ?? form.get('client_secret');
  if (!clientId) throw invalidClient('Missing client_id parameter', 400);
  if (basic && form.get('client_id') !== undefined && form.get('client_id') !== basic.clientId) {
    throw invalidClient(INVALID_CLIENT_CREDENTIALS);
  }
  const client = realm.clientsByClientId.get(clientId);
  if (!client || !client.enabled) throw invalidClient(INVALID_CLIENT_CREDENTIALS);
  if (client.bearerOnly) throw invalidClient('Bearer-only not allowed', 400);
  if (!client.publicClient && (!secret || !matchesClientSecret(client, secret, nowSeconds))) throw unauthorizedClient(INVALID_CLIENT_CREDENTIALS, 401);
  if (!isOidcClient(client)) throw invalidClient(WRONG_CLIENT_PROTOCOL, 400);
  return client;
}

/** Keycloak's answer to a client of another protocol at any OpenID Connect endpoint. */
export const WRONG_CLIENT_PROTOCOL = 'Wrong client protocol.';

export const isOidcClient = (client: Pick<Client, 'protocol'>): boolean => (client.protocol || OIDC_PROTOCOL) === OIDC_PROTOCOL;
