/**
 * The Keycloak-compatible admin REST API under `/admin/realms` (and `/admin/serverinfo`,
 * `/admin/{realm}/console/whoami`), as one encapsulated Fastify
 * plugin: every route in it requires an admin bearer token (checked before the body is read)
 * and parses JSON with Keycloak's error bodies. Also exports realm import and export, which the
 * CLI shares with `POST /admin/realms`.
 */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../context.ts';
import { authenticateAdmin } from './admin-auth.ts';
import { registerAdminJsonParser } from './admin-request.ts';
import { recordAdminChange } from './admin-events.ts';
import { eventRoutes } from './routes/events.ts';
import { smtpTestRoutes } from './routes/smtp-test.ts';
import { userActionEmailRoutes } from './routes/user-action-emails.ts';
import { attackDetectionRoutes } from './routes/attack-detection.ts';
import { clientCertificateRoutes } from './routes/client-certificates.ts';
import { clientExtraRoutes } from './routes/client-extras.ts';
import { clientRoutes } from './routes/clients.ts';
import { clientScopeLinkRoutes } from './routes/client-scope-links.ts';
import { clientScopeRoutes } from './routes/client-scopes.ts';
import { clientsInitialAccessRoutes } from './routes/clients-initial-access.ts';
import { componentRoutes } from './routes/components.ts';
import { consoleRoutes } from './routes/console.ts';
import { defaultGroupRoutes } from './routes/default-groups.ts';
import { evaluateScopeRoutes } from './routes/evaluate-scopes.ts';
import { groupRoutes } from './routes/groups.ts';
import { keyRoutes } from './routes/keys.ts';
import { partialImportRoutes } from './routes/partial-import.ts';
import { localizationRoutes } from './routes/localization.ts';
import { realmExtraRoutes } from './routes/realm-extras.ts';
import { protocolMapperRoutes } from './routes/protocol-mappers.ts';
import { realmRoutes } from './routes/realms.ts';
import { requiredActionRoutes } from './routes/required-actions.ts';
import { authenticationFlowRoutes } from './routes/authentication-flows.ts';
import { roleMappingRoutes } from './routes/role-mappings.ts';
import { uiExtRoleRoutes } from './routes/ui-ext-roles.ts';
import { roleRoutes } from './routes/roles.ts';
import { serverInfoRoutes } from './routes/server-info.ts';
import { scopeMappingRoutes } from './routes/scope-mappings.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { realmSessionListRoutes } from './routes/realm-session-list.ts';
import { userGroupRoutes } from './routes/user-groups.ts';
import { userConsentRoutes } from './routes/user-consents.ts';
import { userRoutes } from './routes/users.ts';
import { userProfileRoutes } from './routes/user-profile.ts';
import { userCredentialRoutes } from './routes/user-credentials.ts';
import { identityProviderRoutes } from './routes/identity-providers.ts';
import { userFederatedIdentityRoutes } from './routes/user-federated-identities.ts';
import { impersonationRoutes } from './routes/impersonation.ts';

export { importRealm, type ImportOptions, type ImportOutcome, type ImportProgress } from './realm-file/import-realm.ts';
export { exportRealm, UnknownRealm, type ExportOptions } from './realm-file/export-realm.ts';
export { ImportConflict } from './realm-file/import-conflict.ts';
export { describeFindings, LossyImport, type Finding, type LossyParts } from './realm-file/lossy-parts.ts';
export { ShapeError } from './json-shape.ts';
// The account API shares the JSON parsing and the profile helpers: same error bodies, same checks.
export { CANNOT_PARSE_JSON, registerAdminJsonParser } from './admin-request.ts';
export { assertUnique, profileAttributes } from './user-profile.ts';
export { toGroupRepresentation } from './representations/group.ts';
export { toCredentialRepresentation } from './representations/credential.ts';

export async function adminRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  app.decorateRequest('adminIdentity', null);
  registerAdminJsonParser(app);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('cache-control', 'no-cache');
    request.adminIdentity = await authenticateAdmin(ctx, request, reply);
  });
  app.addHook('onResponse', async (request, reply) => {
    await recordAdminChange(ctx, request, reply).catch((error: unknown) => request.log.error({ err: error }, 'recording an admin event failed'));
  });
  for (const routes of [
    realmRoutes,
    partialImportRoutes,
    clientRoutes,
    clientExtraRoutes,
    clientCertificateRoutes,
    clientScopeRoutes,
    clientScopeLinkRoutes,
    protocolMapperRoutes,
    scopeMappingRoutes,
    evaluateScopeRoutes,
    roleRoutes,
    userRoutes,
    userProfileRoutes,
    userCredentialRoutes,
    groupRoutes,
    defaultGroupRoutes,
    userGroupRoutes,
    userConsentRoutes,
    impersonationRoutes,
    roleMappingRoutes,
    uiExtRoleRoutes,
    sessionRoutes,
    realmSessionListRoutes,
    attackDetectionRoutes,
    serverInfoRoutes,
    realmExtraRoutes,
    clientsInitialAccessRoutes,
    localizationRoutes,
    consoleRoutes,
    componentRoutes,
    keyRoutes,
    requiredActionRoutes,
    authenticationFlowRoutes,
    eventRoutes,
    smtpTestRoutes,
    userActionEmailRoutes,
    identityProviderRoutes,
    userFederatedIdentityRoutes,
  ]) {
    await app.register(routes, { ctx });
  }
}
