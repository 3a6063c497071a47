/**
 * The rest of a client's admin API the admin client exposes: the registration access token, the
 * rotated secret, installation files, cluster nodes and adapter pushes. Reading or issuing a
 * credential of a client (secrets, tokens, files that embed the secret) needs the power to act on
 * it (role-grants.ts), as `client-secret` does.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { newSecret, open, sha256Hex } from '../../crypto/index.ts';
import { AdminError, adminBadRequest, adminNotFound } from '../../errors/index.ts';
import { baseUrl } from '../../http/base-url.ts';
import type { Client } from '../../realm/index.ts';
import { notPushed, pushTargets, registeredNodes } from '../adapter-push.ts';
import { isAllowed, type Permission } from '../admin-auth.ts';
import { findClient } from '../admin-lookups.ts';
import { adminScope, readBody, type AdminScope } from '../admin-request.ts';
import { installationProviders } from '../installation/installation-providers.ts';
import { object, string } from '../json-shape.ts';
import { clientSecret, isConfidential, toClientRepresentation } from '../representations/client.ts';
import { requireActOnClient } from '../role-grants.ts';

const MAX_NODE = 255;
const nodeRegistration = object({ node: string });

async function clientScope(ctx: Context, request: FastifyRequest, permission: Permission): Promise<AdminScope & { client: Client }> {
  const scope = await adminScope(ctx, request, permission);
  return { ...scope, client: findClient(scope.realm, (request.params as { id: string }).id) };
}

async function saveClient(ctx: Context, client: Client): Promise<void> {
  await ctx.realms.repository.updateClient(client);
  await ctx.realms.realmChanged(client.realmId);
}

export async function clientExtraRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const base = '/admin/realms/:realm/clients/:id';

  app.post(`${base}/registration-access-token`, async (request) => {
    const { identity, realm, client } = await clientScope(ctx, request, 'manage-clients');
    await requireActOnClient(ctx, identity, realm, client);
    const token = newSecret();
    await saveClient(ctx, { ...client, registrationTokenHash: sha256Hex(token) });
    const manage = isAllowed(identity, realm, 'manage-clients');
    return { ...toClientRepresentation(client, realm.keys.sealKey, false), registrationAccessToken: token, access: { view: true, configure: manage, manage } };
  });

  app.get(`${base}/client-secret/rotated`, async (request) => {
    const { identity, realm, client } = await clientScope(ctx, request, 'view-clients');
    await requireActOnClient(ctx, identity, realm, client);
    if (!client.rotatedSecret) throw adminNotFound('Client does not have a rotated secret');
    return { type: 'secret', value: open(realm.keys.sealKey, client.rotatedSecret.sealed) };
  });

  app.delete(`${base}/client-secret/rotated`, async (request, reply) => {
    const { identity, realm, client } = await clientScope(ctx, request, 'manage-clients');
    await requireActOnClient(ctx, identity, realm, client);
    if (client.rotatedSecret) await saveClient(ctx, { ...client, rotatedSecret: undefined });
    return reply.code(204).send();
  });

  app.get(`${base}/installation/providers/:providerId`, async (request, reply) => {
    const { identity, realm, client } = await clientScope(ctx, request, 'view-clients');
    const provider = installationProviders.find((p) => p.id === (request.params as { providerId: string }).providerId);
    if (!provider) throw adminNotFound('Unknown Provider');
    // The file embeds the secret: only for those who may read it.
    const secret = isConfidential(client) && !client.bearerOnly ? clientSecret(client, realm.keys.sealKey) : undefined;
    if (secret !== undefined) await requireActOnClient(ctx, identity, realm, client);
    const text = provider.render({
      realm: realm.realm.name,
      authServerUrl: `${baseUrl(request, ctx.config)}/`,
      sslRequired: realm.realm.settings.sslRequired,
      clientId: client.clientId,
      publicClient: client.publicClient,
      bearerOnly: client.bearerOnly,
      secret,
      hasClientRoles: [...realm.rolesById.values()].some((r) => r.clientId === client.id),
    });
    return reply.type('text/plain').send(text);
  });

  app.post(`${base}/nodes`, async (request, reply) => {
    const { client } = await clientScope(ctx, request, 'manage-clients');
    const node = readBody(request, nodeRegistration).node;
    if (node === undefined || node.trim() === '') throw new AdminError(400, { error: 'Node not found in params' });
    if (node.length > MAX_NODE) throw adminBadRequest(`node: at most ${MAX_NODE} characters`, 'node');
    const registered = { ...registeredNodes(client), [node]: Math.floor(ctx.clock.nowMs() / 1000) };
    await saveClient(ctx, { ...client, registeredNodes: registered });
    return reply.code(204).send();
  });

  app.delete(`${base}/nodes/:node`, async (request, reply) => {
    const { client } = await clientScope(ctx, request, 'manage-clients');
    const { node } = request.params as { node: string };
    const nodes = registeredNodes(client);
    // Keycloak's message names no node.
    if (!Object.hasOwn(nodes, node)) throw adminNotFound('Client does not have node ');
    const { [node]: _removed, ...rest } = nodes;
    await saveClient(ctx, { ...client, registeredNodes: rest });
    return reply.code(204).send();
  });

  app.get(`${base}/test-nodes-available`, async (request) => {
    const { client } = await clientScope(ctx, request, 'manage-clients');
    return notPushed(pushTargets(client));
  });

  app.post(`${base}/push-revocation`, async (request) => {
    const { client } = await clientScope(ctx, request, 'manage-clients');
    return notPushed(pushTargets(client));
  });

  // Authorization services are out of scope: every client answers as one without them in Keycloak.
  app.all(`${base}/authz/*`, async (request) => {
    await clientScope(ctx, request, 'view-clients');
    throw new AdminError(404, { error: 'HTTP 404 Not Found' });
  });
}
