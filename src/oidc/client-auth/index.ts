/**
 * Client authentication at the token, introspection, revocation and logout endpoints, by the
 * client's `clientAuthenticatorType` as in Keycloak: `client-secret` (`client_secret_basic`,
 * `client_secret_post`), `client-jwt` (`private_key_jwt`) and `client-secret-jwt`
 * (`client_secret_jwt`); public clients by `client_id` alone. Secrets are compared as SHA-256
 * hashes in constant time; every failure that could tell which clients exist reads the same. A
 * client of another protocol (SAML, imported with the operator's override) is never served, as in
 * Keycloak: it is refused after it authenticated.
 */
import type { FastifyRequest } from 'fastify';
import { INVALID_CLIENT_CREDENTIALS, invalidClient, invalidRequest, unauthorizedClient } from '../../errors/index.ts';
import { matchesClientSecret } from '../../realm/realm-factory.ts';
import { OIDC_PROTOCOL } from '../../realm/index.ts';
import type { Context } from '../../context.ts';
import type { Form } from '../../http/form.ts';
import type { LoadedRealm } from '../../realm/realm-service.ts';
import type { Client } from '../../realm/types.ts';
import { authenticateWithAssertion, JWT_BEARER } from './client-assertion.ts';
import { recordClientAuthFailure, type EventBuilder } from '../../events/index.ts';

export { ClientKeys } from './client-jwks.ts';

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

/** Where the request was sent, for the audiences a client assertion may name. */
export interface ClientAuthTarget {
  ctx: Context;
  realm: LoadedRealm;
  issuer: string;
}

/** The client a request names, before it is authenticated (for its event); undefined if unreadable. */
function requestedClientId(request: FastifyRequest, form: Form): string | undefined {
  try {
    return basicCredentials(request)?.clientId ?? form.get('client_id');
  } catch {
    return form.get('client_id');
  }
}

export async function authenticateClient(target: ClientAuthTarget, request: FastifyRequest, form: Form): Promise<Client> {
  const client = await authenticated(target, request, form);
  if (!isOidcClient(client)) throw invalidClient(WRONG_CLIENT_PROTOCOL, 400);
  return client;
}

async function authenticated(target: ClientAuthTarget, request: FastifyRequest, form: Form): Promise<Client> {
  const basic = basicCredentials(request);
  if (!basic && form.get('client_assertion_type') === JWT_BEARER) return authenticateWithAssertion(target, form);
  const { realm } = target;
  const clientId = basic?.clientId ?? form.get('client_id');
  const secret = basic?.secret ?? form.get('client_secret');
  if (!clientId) throw form.get('client_assertion') !== undefined ? invalidClient(INVALID_CLIENT_CREDENTIALS) : invalidClient('Missing client_id parameter', 400);
  if (basic && form.get('client_id') !== undefined && form.get('client_id') !== basic.clientId) {
    throw invalidClient(INVALID_CLIENT_CREDENTIALS);
  }
  const client = realm.clientsByClientId.get(clientId);
  if (!client || !client.enabled) throw invalidClient(INVALID_CLIENT_CREDENTIALS);
  if (client.bearerOnly) throw invalidClient('Bearer-only not allowed', 400);
  if (client.publicClient) return client;
  // A client set up for signed JWTs never authenticates with the bare secret.
  if ((client.clientAuthenticatorType ?? 'client-secret') !== 'client-secret') throw invalidClient('Parameter client_assertion_type is missing', 400);
  if (!secret || !matchesClientSecret(client, secret, target.ctx.sessions.now())) throw unauthorizedClient(INVALID_CLIENT_CREDENTIALS, 401);
  return client;
}

/** Keycloak's answer to a client of another protocol at any OpenID Connect endpoint. */
export const WRONG_CLIENT_PROTOCOL = 'Wrong client protocol.';

export const isOidcClient = (client: Pick<Client, 'protocol'>): boolean => (client.protocol || OIDC_PROTOCOL) === OIDC_PROTOCOL;

/**
 * `authenticateClient` for an endpoint that records `event`: the client the request names goes on
 * the event, and a failure is recorded with the cause Keycloak's events tell apart.
 */
export async function authenticateClientFor(event: EventBuilder, target: ClientAuthTarget, request: FastifyRequest, form: Form): Promise<Client> {
  let client: Client;
  try {
    client = await authenticateClient(target, request, form);
  } catch (error) {
    // The client the request names, read again only on this failure path.
    recordClientAuthFailure(event.client(requestedClientId(request, form)), target.realm, error);
    throw error;
  }
  // A signed assertion names its client only inside the JWT.
  event.client(client.clientId);
  if (!client.publicClient) event.detail('client_auth_method', client.clientAuthenticatorType ?? 'client-secret');
  return client;
}
