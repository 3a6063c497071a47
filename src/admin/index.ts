/**
 * The Keycloak-compatible admin REST API under `/admin/realms`, as one encapsulated Fastify
 * plugin: every route in it requires an admin bearer token (checked before the body is read)
 * and parses JSON with Keycloak's error bodies. Also exports realm import and export, which the
 * CLI shares with `POST /admin/realms`.
 */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../context.ts';
import { authenticateAdmin } from './admin-auth.ts';
import { registerAdminJsonParser } from './admin-request.ts';
import { attackDetectionRoutes } from './routes/attack-detection.ts';
import { clientRoutes } from './routes/clients.ts';
import { clientScopeLinkRoutes } from './routes/client-scope-links.ts';
import { clientScopeRoutes } from './routes/client-scopes.ts';
import { defaultGroupRoutes } from './routes/default-groups.ts';
import { evaluateScopeRoutes } from './routes/evaluate-scopes.ts';
import { groupRoutes } from './routes/groups.ts';
import { protocolMapperRoutes } from './routes/protocol-mappers.ts';
import { realmRoutes } from './routes/realms.ts';
import { roleMappingRoutes } from './routes/role-mappings.ts';
import { roleRoutes } from './routes/roles.ts';
import { scopeMappingRoutes } from './routes/scope-mappings.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { userGroupRoutes } from './routes/user-groups.ts';
import { userRoutes } from './routes/users.ts';

export { importRealm, type ImportOptions, type ImportOutcome, type ImportProgress } from './realm-file/import-realm.ts';
export { exportRealm, UnknownRealm, type ExportOptions } from './realm-file/export-realm.ts';
export { ImportConflict } from './realm-file/import-conflict.ts';
export { ShapeError } from './json-shape.ts';

export async function adminRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  app.decorateRequest('adminIdentity', null);
  registerAdminJsonParser(app);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('cache-control', 'no-cache');
    request.adminIdentity = await authenticateAdmin(ctx, request, reply);
  });
  for (const routes of [
    realmRoutes,
    clientRoutes,
    clientScopeRoutes,
    clientScopeLinkRoutes,
    protocolMapperRoutes,
    scopeMappingRoutes,
    evaluateScopeRoutes,
    roleRoutes,
    userRoutes,
    groupRoutes,
    defaultGroupRoutes,
    userGroupRoutes,
    roleMappingRoutes,
    sessionRoutes,
    attackDetectionRoutes,
  ]) {
    await app.register(routes, { ctx });
  }
}
