/**
 * `/client-scopes` and the realm's `/default-default-client-scopes` and
 * `/default-optional-client-scopes`, as Keycloak's ClientScopesResource, ClientScopeResource and
 * RealmAdminResource have them: list (query-clients; empty without view-clients), read
 * (view-clients), create, update, delete (manage-clients); a realm default is either default or
 * optional, so adding it to one list takes it off the other. A rename carries over to the clients
 * that name the scope, and a delete takes it off them, in the same transaction.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { AdminError, adminNotFound } from '../../errors/index.ts';
import { realmDefaultScopes, type ClientScope, type LoadedRealm, type RealmDefaultType, type RealmRepository } from '../../realm/index.ts';
import { isAllowed, requirePermission } from '../admin-auth.ts';
import { adminScope, collectionPaths, location, readBody } from '../admin-request.ts';
import { isUniqueViolation } from '../realm-file/import-conflict.ts';
import { requireMayGrantMappers } from '../representations/protocol-mapper.ts';
import {
  adminProblem,
  clientScopeRepresentation,
  newClientScope,
  scopeExists,
  toClientScopeRepresentation,
  toScopeReference,
  updatedClientScope,
} from '../representations/client-scope.ts';

export function findClientScope(realm: LoadedRealm, id: string, message = 'Could not find client scope'): ClientScope {
  const scope = realm.clientScopesById.get(id);
  if (!scope) throw adminNotFound(message);
  return scope;
}

const scopeIdOf = (request: FastifyRequest): string => (request.params as { scopeId: string }).scopeId;
const conflict = (message: string) => new AdminError(409, { errorMessage: message });

/** Writes in one transaction, turns a name taken meanwhile into Keycloak's 409, and tells every node. */
async function writeScopes(ctx: Context, realm: LoadedRealm, name: string, work: (tx: RealmRepository) => Promise<void>): Promise<void> {
  try {
    await ctx.realms.repository.transaction(async (tx) => {
      await tx.lockRealm(realm.realm.id);
      await work(tx);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw scopeExists(name);
    throw error;
  }
  await ctx.realms.realmChanged(realm.realm.id);
}

/** Clients that name `from` in their scope lists, with `to` in its place (or without it). */
async function renameInClients(tx: RealmRepository, realm: LoadedRealm, from: string, to: string | undefined): Promise<void> {
  const swap = (names: string[]) => names.flatMap((n) => (n !== from ? [n] : to === undefined ? [] : [to]));
  for (const client of await tx.listClients(realm.realm.id)) {
    if (!client.defaultClientScopes.includes(from) && !client.optionalClientScopes.includes(from)) continue;
    await tx.updateClient({ ...client, defaultClientScopes: swap(client.defaultClientScopes), optionalClientScopes: swap(client.optionalClientScopes) });
  }
}

const nameTaken = async (tx: RealmRepository, realm: LoadedRealm, name: string, except?: string): Promise<boolean> =>
  (await tx.listClientScopes(realm.realm.id)).some((s) => s.name === name && s.id !== except);

export async function clientScopeRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const list = async (request: FastifyRequest) => {
    const { identity, realm } = await adminScope(ctx, request, 'query-clients');
    return isAllowed(identity, realm, 'view-clients') ? [...realm.clientScopesById.values()].map(toClientScopeRepresentation) : [];
  };
  const create = async (request: FastifyRequest, reply: FastifyReply) => {
    const { identity, realm } = await adminScope(ctx, request, 'manage-clients');
    const rep = readBody(request, clientScopeRepresentation);
    const positions = [...realm.clientScopesById.values()].map((s) => s.position);
    const scope = newClientScope(realm.realm.id, rep, positions.length === 0 ? 0 : Math.max(...positions) + 1, adminProblem, conflict);
    requireMayGrantMappers(identity, realm, scope.protocolMappers);
    await writeScopes(ctx, realm, scope.name, async (tx) => {
      if (await nameTaken(tx, realm, scope.name)) throw scopeExists(scope.name);
      await tx.createClientScopes([scope]);
    });
    return reply.code(201).header('location', location(ctx, request, realm.realm.name, 'client-scopes', scope.id)).send();
  };
  for (const url of collectionPaths('/admin/realms/:realm/client-scopes')) {
    app.get(url, list);
    app.post(url, create);
  }

  app.get('/admin/realms/:realm/client-scopes/:scopeId', async (request) => {
    const { identity, realm } = await adminScope(ctx, request, 'query-clients');
    const scope = findClientScope(realm, scopeIdOf(request));
    requirePermission(identity, realm, 'view-clients');
    return toClientScopeRepresentation(scope);
  });

  app.put('/admin/realms/:realm/client-scopes/:scopeId', async (request, reply) => {
    const { realm } = await adminScope(ctx, request, 'manage-clients');
    const scope = findClientScope(realm, scopeIdOf(request));
    const updated = updatedClientScope(scope, readBody(request, clientScopeRepresentation));
    await writeScopes(ctx, realm, updated.name, async (tx) => {
      if (updated.name !== scope.name) {
        if (await nameTaken(tx, realm, updated.name, scope.id)) throw scopeExists(updated.name);
        await renameInClients(tx, realm, scope.name, updated.name);
      }
      await tx.updateClientScope(updated);
    });
    return reply.code(204).send();
  });

  app.delete('/admin/realms/:realm/client-scopes/:scopeId', async (request, reply) => {
    const { realm } = await adminScope(ctx, request, 'manage-clients');
    const scope = findClientScope(realm, scopeIdOf(request));
    if (realm.clientScopesById.size <= 1) throw new AdminError(403, { errorMessage: 'You are not allowed to delete all the client scopes.' });
    await writeScopes(ctx, realm, scope.name, async (tx) => {
      await renameInClients(tx, realm, scope.name, undefined);
      await tx.deleteClientScope(scope.id);
    });
    return reply.code(204).send();
  });

  for (const [segment, type] of [
    ['default-default-client-scopes', 'default'],
    ['default-optional-client-scopes', 'optional'],
  ] as const satisfies ReadonlyArray<readonly [string, RealmDefaultType]>) {
    app.get(`/admin/realms/:realm/${segment}`, async (request) => {
      const { realm } = await adminScope(ctx, request, 'view-clients');
      return realmDefaultScopes(realm, type).map(toScopeReference);
    });
    for (const [method, realmDefault] of [
      ['PUT', type],
      ['DELETE', undefined],
    ] as const) {
      app.route({
        method,
        url: `/admin/realms/:realm/${segment}/:scopeId`,
        handler: async (request, reply) => {
          const { realm } = await adminScope(ctx, request, 'manage-clients');
          const scope = findClientScope(realm, scopeIdOf(request), 'Client scope not found');
          // Removing a scope from the list it is not in changes nothing.
          const next = realmDefault ?? (scope.realmDefault === type ? undefined : scope.realmDefault);
          if (next !== scope.realmDefault) await writeScopes(ctx, realm, scope.name, (tx) => tx.updateClientScope({ ...scope, realmDefault: next }));
          return reply.code(204).send();
        },
      });
    }
  }
}
