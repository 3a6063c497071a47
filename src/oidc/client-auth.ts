/**
 * Client authentication at the token, introspection, revocation and logout endpoints:
 * `client_secret_basic`, `client_secret_post`, or `client_id` alone for public clients.
 * Secrets are compared as SHA-256 hashes in constant time; every failure for an existing or
 * unknown client reads the same, so the endpoint cannot be used to discover clients.
 */
import type { FastifyRequest } from 'fastify';
import { INVALID_CLIENT_CREDENTIALS, invalidClient, invalidRequest, unauthorizedClient } from '../errors/index.ts';
import { matchesHash } from '../crypto/index.ts';
import type { Form } from '../http/form.ts';
import type { LoadedRealm } from '../realm/realm-service.ts';
import type { Client } from '../realm/types.ts';
import { recordClientAuthFailure, type EventBuilder } from '../events/index.ts';

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

/** The client a request names, before it is authenticated (for its event); undefined if unreadable. */
function requestedClientId(request: FastifyRequest, form: Form): string | undefined {
  try {
    return basicCredentials(request)?.clientId ?? form.get('client_id');
  } catch {
    return form.get('client_id');
  }
}

export function authenticateClient(realm: LoadedRealm, request: FastifyRequest, form: Form): Client {
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
  if (client.publicClient) return client;
  if (!secret || !client.secretHash || !matchesHash(secret, client.secretHash)) throw unauthorizedClient(INVALID_CLIENT_CREDENTIALS, 401);
  return client;
}

/**
 * `authenticateClient` for an endpoint that records `event`: the client the request names goes on
 * the event, and a failure is recorded with the cause Keycloak's events tell apart.
 */
export function authenticateClientFor(event: EventBuilder, realm: LoadedRealm, request: FastifyRequest, form: Form): Client {
  event.client(requestedClientId(request, form));
  let client: Client;
  try {
    client = authenticateClient(realm, request, form);
  } catch (error) {
    recordClientAuthFailure(event, realm, error);
    throw error;
  }
  if (!client.publicClient) event.detail('client_auth_method', 'client-secret');
  return client;
}
