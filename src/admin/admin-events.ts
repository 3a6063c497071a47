/**
 * Admin events: every admin write that succeeded (POST, PUT, DELETE answered 2xx) becomes one
 * event of the realm it changed, recorded after the response went out, so no admin route has to
 * remember to do it and none can forget. The operation and resource types follow Keycloak's
 * for each path; the representation is the request body with every secret masked and
 * credentials left out (Keycloak too strips them), and is kept only with
 * `adminEventsDetailsEnabled`.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../context.ts';
import type { OperationType, ResourceType } from '../events/index.ts';

const MASKED = '**********';
/** Fields whose value is a secret wherever they appear in a representation. */
const SECRET_FIELDS = new Set(['secret', 'password', 'client_secret', 'clientSecret', 'secretData']);
/** Fields left out entirely: credential lists carry passwords and hashes. */
const DROPPED_FIELDS = new Set(['credentials']);

/** Path (after `/admin/realms/{realm}/`) patterns, first match wins. */
const RESOURCES: Array<{ pattern: RegExp; resourceType: ResourceType; action?: boolean }> = [
  { pattern: /^(users|groups)\/[^/]+\/role-mappings\/realm(\/|$)/, resourceType: 'REALM_ROLE_MAPPING' },
  { pattern: /^(users|groups)\/[^/]+\/role-mappings\/clients\//, resourceType: 'CLIENT_ROLE_MAPPING' },
  { pattern: /^users\/[^/]+\/groups\//, resourceType: 'GROUP_MEMBERSHIP' },
  { pattern: /^users\/[^/]+\/federated-identity\//, resourceType: 'USER' },
  { pattern: /^identity-provider\/instances\/[^/]+\/mappers(\/|$)/, resourceType: 'IDENTITY_PROVIDER_MAPPER' },
  { pattern: /^identity-provider(\/|$)/, resourceType: 'IDENTITY_PROVIDER' },
  { pattern: /^users\/[^/]+\/(reset-password|execute-actions-email|send-verify-email|logout|consents\/[^/]+)$/, resourceType: 'USER', action: true },
  { pattern: /^users(\/|$)/, resourceType: 'USER' },
  { pattern: /^(groups|default-groups)(\/|$)/, resourceType: 'GROUP' },
  { pattern: /^clients\/[^/]+\/roles(\/|$)/, resourceType: 'CLIENT_ROLE' },
  { pattern: /^clients\/[^/]+\/client-secret$/, resourceType: 'CLIENT', action: true },
  { pattern: /^clients\/[^/]+\/(default|optional)-client-scopes\//, resourceType: 'CLIENT_SCOPE_CLIENT_MAPPING' },
  { pattern: /^clients(\/|$)/, resourceType: 'CLIENT' },
  { pattern: /^(roles|roles-by-id)(\/|$)/, resourceType: 'REALM_ROLE' },
  { pattern: /^(client-scopes|default-default-client-scopes|default-optional-client-scopes)(\/|$)/, resourceType: 'CLIENT_SCOPE' },
  { pattern: /^sessions\//, resourceType: 'USER_SESSION' },
  { pattern: /^attack-detection\//, resourceType: 'USER_LOGIN_FAILURE' },
  { pattern: /^(logout-all|push-revocation)$/, resourceType: 'REALM', action: true },
  { pattern: /^(events\/config)?$/, resourceType: 'REALM' },
];

/** Requests that change no resource (clearing events records none either, as in Keycloak). */
const NOT_CHANGES = /^(testSMTPConnection|events|admin-events|identity-provider\/import-config|users\/[^/]+\/impersonation)$/;

function masked(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(masked);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (DROPPED_FIELDS.has(key)) continue;
    out[key] = SECRET_FIELDS.has(key) && typeof item === 'string' && item !== '' ? MASKED : masked(item);
  }
  return out;
}

/** The part of a URL after `/admin/realms/{realm}/`, without query; undefined for other URLs. */
function realmRelativePath(url: string, realmName: string): string | undefined {
  const path = url.split('?')[0];
  const prefix = `/admin/realms/${encodeURIComponent(realmName)}`;
  let rest: string;
  if (path.startsWith(prefix)) rest = path.slice(prefix.length);
  else {
    const absolute = path.indexOf(prefix);
    if (absolute < 0) return undefined;
    rest = path.slice(absolute + prefix.length);
  }
  return rest.replace(/^\/+|\/+$/g, '');
}

function operationOf(method: string, action: boolean | undefined): OperationType | undefined {
  if (action) return 'ACTION';
  if (method === 'POST') return 'CREATE';
  if (method === 'PUT') return 'UPDATE';
  if (method === 'DELETE') return 'DELETE';
  return undefined;
}

export async function recordAdminChange(ctx: Context, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const identity = request.adminIdentity;
  const realmName = (request.params as { realm?: string } | undefined)?.realm;
  if (!identity || !realmName || reply.statusCode < 200 || reply.statusCode >= 300) return;
  if (request.method !== 'POST' && request.method !== 'PUT' && request.method !== 'DELETE') return;
  const path = realmRelativePath(request.url, realmName);
  if (path === undefined || NOT_CHANGES.test(path)) return;
  const realm = await ctx.realms.getRealm(realmName);
  if (!realm) return;
  const resource = RESOURCES.find((r) => r.pattern.test(path));
  const operationType = operationOf(request.method, resource?.action);
  if (!operationType) return;
  // A creation's path names what was created, as its Location does.
  const location = reply.getHeader('location');
  const created = typeof location === 'string' ? realmRelativePath(location, realmName) : undefined;
  const resourcePath = created ?? path;
  const body = request.body;
  const representation = operationType !== 'ACTION' && operationType !== 'DELETE' && typeof body === 'object' && body !== null ? JSON.stringify(masked(body)) : undefined;
  ctx.events.recorder.recordAdminEvent(realm, {
    authDetails: {
      realmId: identity.realm.realm.id,
      clientId: identity.realm.clientsByClientId.get(identity.azp)?.id,
      userId: identity.user.user.id,
      ipAddress: request.clientConnection.address,
    },
    operationType,
    resourceType: resource?.resourceType ?? 'CUSTOM',
    resourcePath: resourcePath === '' ? undefined : resourcePath,
    representation,
  });
}
