/**
 * `/admin/realms/{realm}/clients`: find (exact `clientId`, or substring with `search=true`),
 * create, read, update, delete, the client secret, and the service-account user.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { newId } from '../../crypto/index.ts';
import { adminBadRequest, adminConflict, adminNotFound } from '../../errors/index.ts';
import { newClientSecret, withSecret, type Client, type LoadedRealm, type RealmRepository } from '../../realm/index.ts';
import { isAllowed, MANAGEMENT_CLIENT, type AdminIdentity } from '../admin-auth.ts';
import { mayActOnClient, requireActOnClient, requireManageRole } from '../role-grants.ts';
import { findClient } from '../admin-lookups.ts';
import { adminScope, collectionPaths, location, paging, queryBoolean, queryString, readBody } from '../admin-request.ts';
import {
  applyClientRepresentation,
  clientRepresentation,
  clientSecret,
  newClientFromRepresentation,
  stampSecret,
  toClientRepresentation,
  type ClientRepresentation,
} from '../representations/client.ts';
import { adminProblem, checkClientScopeNames, withNewClientScopes } from '../representations/client-scope.ts';
import { newProtocolMappers, refuseMapperChanges, requireMayGrantLinkedScopes, requireMayGrantMappers } from '../representations/protocol-mapper.ts';
import { toUserRepresentation } from '../representations/user.ts';
import { findServiceAccount, syncServiceAccount } from '../service-accounts.ts';
import { detachClientSessions } from '../realm-sessions.ts';
import { isUniqueViolation } from '../realm-file/import-conflict.ts';
import { checkClientUrls } from '../client-url-checks.ts';

/** A client as the caller may see it: its secret only to those who may act on its service account. */
async function view(ctx: Context, identity: AdminIdentity, realm: LoadedRealm, client: Client): Promise<Record<string, unknown>> {
  const manage = isAllowed(identity, realm, 'manage-clients');
  const showSecret = manage && (await mayActOnClient(ctx, identity, realm, client));
  return {
    ...toClientRepresentation(client, realm.keys.sealKey, showSecret),
    access: { view: isAllowed(identity, realm, 'view-clients'), configure: manage, manage },
  };
}

/** Removes a client with its roles (and their places in composites) and its service account. */
async function deleteClientRows(tx: RealmRepository, realm: LoadedRealm, client: Client): Promise<void> {
  const owned = new Set([...realm.rolesById.values()].filter((r) => r.clientId === client.id).map((r) => r.id));
  for (const role of realm.rolesById.values()) {
    if (owned.has(role.id)) continue;
    if (role.composites.some((id) => owned.has(id))) await tx.updateRole({ ...role, composites: role.composites.filter((id) => !owned.has(id)) });
  }
  for (const id of owned) await tx.deleteRole(id);
  const account = await findServiceAccount(tx, client);
  if (account) await tx.deleteUser(account.id);
  await tx.deleteClient(client.id);
}

export async function clientRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const findClients = async (request: FastifyRequest) => {
    const { identity, realm } = await adminScope(ctx, request, 'query-clients');
    const clientId = queryString(request, 'clientId');
    const search = queryBoolean(request, 'search') === true;
    const { first, max } = paging(request, Number.MAX_SAFE_INTEGER);
    let clients = [...realm.clientsById.values()].sort((a, b) => (a.clientId < b.clientId ? -1 : a.clientId > b.clientId ? 1 : 0));
    if (clientId !== undefined) {
      const needle = clientId.toLowerCase();
      clients = search ? clients.filter((c) => c.clientId.toLowerCase().includes(needle)) : clients.filter((c) => c.clientId === clientId);
    }
    return Promise.all(clients.slice(first, first + max).map((c) => view(ctx, identity, realm, c)));
  };

  const createClient = async (request: FastifyRequest, reply: FastifyReply) => {
    const { identity, realm } = await adminScope(ctx, request, 'manage-clients');
    const rep = readBody(request, clientRepresentation);
    if (rep.clientId === undefined || rep.clientId.trim() === '') throw adminBadRequest('clientId: required', 'clientId');
    checkClientUrls(rep);
    const nowMs = ctx.clock.nowMs();
    const created = newClientFromRepresentation(realm.realm.id, rep.id ?? newId(), rep.clientId, rep, realm.keys.sealKey, Math.floor(nowMs / 1000));
    const protocolMappers = newProtocolMappers(rep.protocolMappers ?? [], created.protocol, [], adminProblem, adminConflict, 'protocolMappers');
    requireMayGrantMappers(identity, realm, protocolMappers);
    const client = withNewClientScopes(realm, { ...created, protocolMappers }, rep);
    checkClientScopeNames(realm, client, adminProblem);
    requireMayGrantLinkedScopes(identity, realm, client);
    const exists = () => adminConflict(`Client ${client.clientId} already exists`);
    try {
      await ctx.realms.repository.transaction(async (tx) => {
        if ((await tx.listClients(realm.realm.id)).some((c) => c.clientId === client.clientId)) throw exists();
        await tx.createClient(client);
        await syncServiceAccount(tx, client, undefined, realm, nowMs);
      });
    } catch (error) {
      // A given id may belong to a client of another realm: the database is the judge.
      if (isUniqueViolation(error)) throw exists();
      throw error;
    }
    await ctx.realms.realmChanged(realm.realm.id);
    return reply.code(201).header('location', location(ctx, request, realm.realm.name, 'clients', client.id)).send();
  };

  for (const url of collectionPaths('/admin/realms/:realm/clients')) {
    app.get(url, findClients);
    app.post(url, createClient);
  }

  app.get('/admin/realms/:realm/clients/:id', async (request) => {
    const { identity, realm } = await adminScope(ctx, request, 'view-clients');
    return view(ctx, identity, realm, findClient(realm, (request.params as { id: string }).id));
  });

  app.put('/admin/realms/:realm/clients/:id', async (request, reply) => {
    const { identity, realm } = await adminScope(ctx, request, 'manage-clients');
    const client = findClient(realm, (request.params as { id: string }).id);
    await requireActOnClient(ctx, identity, realm, client);
    const rep = readBody(request, clientRepresentation);
    if (rep.clientId !== undefined && rep.clientId.trim() === '') throw adminBadRequest('clientId: must not be empty', 'clientId');
    if (rep.clientId !== undefined && rep.clientId !== client.clientId && (client.clientId === MANAGEMENT_CLIENT || rep.clientId === MANAGEMENT_CLIENT)) {
      throw adminBadRequest(`Cannot rename a client to or from '${MANAGEMENT_CLIENT}': it holds the realm's admin roles`, 'clientId');
    }
    checkClientUrls(rep);
    refuseMapperChanges(rep.protocolMappers, client.protocolMappers);
    const nowMs = ctx.clock.nowMs();
    const updated = applyClientRepresentation(client, rep, realm.keys.sealKey, Math.floor(nowMs / 1000));
    checkClientScopeNames(realm, updated, adminProblem, '', client);
    requireMayGrantLinkedScopes(identity, realm, updated, client);
    await ctx.realms.repository.transaction(async (tx) => {
      if (updated.clientId !== client.clientId && (await tx.listClients(realm.realm.id)).some((c) => c.clientId === updated.clientId)) {
        throw adminConflict('Client already exists');
      }
      await tx.updateClient(updated);
      await syncServiceAccount(tx, updated, client.clientId, realm, nowMs);
    });
    await ctx.realms.realmChanged(realm.realm.id);
    return reply.code(204).send();
  });

  app.delete('/admin/realms/:realm/clients/:id', async (request, reply) => {
    const { identity, realm } = await adminScope(ctx, request, 'manage-clients');
    const client = findClient(realm, (request.params as { id: string }).id);
    if (client.clientId === MANAGEMENT_CLIENT) throw adminBadRequest(`Cannot delete client '${MANAGEMENT_CLIENT}': it holds the realm's admin roles`);
    await requireActOnClient(ctx, identity, realm, client);
    // Its roles go with it: admin power granted through them must be the caller's to take away.
    for (const role of realm.rolesById.values()) if (role.clientId === client.id) requireManageRole(identity, realm, role);
    await detachClientSessions(ctx, realm, client);
    await ctx.realms.repository.transaction((tx) => deleteClientRows(tx, realm, client));
    await ctx.realms.realmChanged(realm.realm.id);
    return reply.code(204).send();
  });

  app.get('/admin/realms/:realm/clients/:id/client-secret', async (request) => {
    const { identity, realm } = await adminScope(ctx, request, 'view-clients');
    const client = findClient(realm, (request.params as { id: string }).id);
    await requireActOnClient(ctx, identity, realm, client);
    const secret = clientSecret(client, realm.keys.sealKey);
    return { type: 'secret', ...(secret !== undefined ? { value: secret } : {}) };
  });

  app.post('/admin/realms/:realm/clients/:id/client-secret', async (request) => {
    const { identity, realm } = await adminScope(ctx, request, 'manage-clients');
    const client = findClient(realm, (request.params as { id: string }).id);
    await requireActOnClient(ctx, identity, realm, client);
    const secret = newClientSecret();
    await ctx.realms.repository.updateClient(stampSecret(withSecret(client, secret, realm.keys.sealKey), ctx.sessions.now()));
    await ctx.realms.realmChanged(realm.realm.id);
    return { type: 'secret', value: secret };
  });

  app.get('/admin/realms/:realm/clients/:id/service-account-user', async (request) => {
    const { identity, realm } = await adminScope(ctx, request, 'view-clients');
    const client = findClient(realm, (request.params as { id: string }).id);
    const account = client.serviceAccountsEnabled ? await findServiceAccount(ctx.realms.repository, client) : undefined;
    if (!account) throw adminNotFound(`Service account not enabled for the client '${client.clientId}'`);
    return toUserRepresentation(realm, account, { view: isAllowed(identity, realm, 'view-users'), manage: isAllowed(identity, realm, 'manage-users') });
  });
}
