/**
 * `/admin/realms` and `/admin/realms/{realm}`: list, create (a full RealmRepresentation, through
 * the same import as `holdfast import`), read, update and delete realms.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { AdminError, adminBadRequest, adminConflict } from '../../errors/index.ts';
import { blacklistExists, parsePasswordPolicy, PasswordPolicyError } from '../../authn/index.ts';
import { applyRealmSettings, realmSettingChecks, toRealmRepresentation } from '../representations/realm.ts';
import { flowBindingChecks } from '../representations/authentication-flow.ts';
import { checkRealmLifespans } from '../representations/realm-lifespans.ts';
import { canCreateRealm, forbidden, hasAnyAdminRole, isAllowed, mayReach } from '../admin-auth.ts';
import { adminScope, collectionPaths, location, queryBoolean, readBody, shapeToAdminError } from '../admin-request.ts';
import { object, ShapeError, string } from '../json-shape.ts';
import { exportRealm } from '../realm-file/export-realm.ts';
import { importRealm } from '../realm-file/import-realm.ts';
import { ImportConflict } from '../realm-file/import-conflict.ts';
import { lossyImportError, lossyImportReport } from '../realm-file/lossy-answers.ts';
import { LossyImport } from '../realm-file/lossy-parts.ts';
import { checkRealmName } from '../realm-file/plan-realm.ts';
import { endRealmSessions } from '../realm-sessions.ts';
import type { LoadedRealm } from '../../realm/index.ts';
import { storedSmtpServer } from '../../mail/index.ts';

/** A realm file over HTTP can be large; only an authenticated realm creator gets this far. */
const REALM_BODY_LIMIT = 256 * 1024 * 1024;

const realmUpdate = object({ ...realmSettingChecks, ...flowBindingChecks, realm: string });

/**
 * A policy string is parsed when it is saved: an unknown rule or bad value is Keycloak's 400
 * (`Password policy not found`, `Invalid config for length: Not a valid number`) plus the rule's
 * name; a blacklist file that does not exist is refused too (Keycloak answers 500 there).
 */
function checkPasswordPolicy(ctx: Context, text: string): void {
  let policy;
  try {
    policy = parsePasswordPolicy(text);
  } catch (error) {
    if (error instanceof PasswordPolicyError) throw new AdminError(400, { errorMessage: error.errorMessage, field: 'passwordPolicy', params: [error.rule] });
    throw error;
  }
  for (const rule of policy.rules) {
    if (rule.id === 'passwordBlacklist' && !blacklistExists(ctx.config.dataDir, rule.file)) {
      throw new AdminError(400, { errorMessage: `Password blacklist file not found: password-blacklists/${rule.file} in the data directory`, field: 'passwordPolicy', params: ['passwordBlacklist'] });
    }
  }
}

function representation(realm: LoadedRealm): Record<string, unknown> {
  return toRealmRepresentation(realm.realm, realm.rolesById.get(realm.realm.settings.attributes.defaultRoleId));
}

export async function realmRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const listRealms = async (request: FastifyRequest) => {
    const identity = request.adminIdentity!;
    const brief = queryBoolean(request, 'briefRepresentation') === true;
    const visible: Record<string, unknown>[] = [];
    for (const stored of await ctx.realms.repository.listRealms()) {
      const realm = await ctx.realms.getRealm(stored.name);
      if (!realm || !mayReach(identity, realm)) continue;
      if (isAllowed(identity, realm, 'view-realm')) visible.push(brief ? { id: realm.realm.id, realm: realm.realm.name } : representation(realm));
      else if (hasAnyAdminRole(identity, realm)) visible.push({ realm: realm.realm.name });
    }
    if (visible.length === 0) throw forbidden();
    return visible;
  };

  const createRealm = async (request: FastifyRequest, reply: FastifyReply) => {
    const allowLossy = queryBoolean(request, 'allowLossyImport') === true;
    try {
      const outcome = await importRealm(ctx.realms.repository, request.body, { nowMs: ctx.clock.nowMs(), allowLossy });
      await ctx.realms.realmChanged(outcome.realm.id);
      const report = lossyImportReport(outcome);
      if (report.notHonoured.length > 0) request.log.warn({ realm: outcome.realm.name, notHonoured: report.notHonoured }, 'realm import: parts not honoured, allowed by allowLossyImport');
      reply.code(201).header('location', location(ctx, request, outcome.realm.name));
      // Keycloak answers an empty body; one is only sent when there is something to list.
      return report.notHonoured.length + report.ignored.length > 0 ? reply.send(report) : reply.send();
    } catch (error) {
      if (error instanceof ShapeError) throw shapeToAdminError(error);
      if (error instanceof ImportConflict) throw adminConflict(error.message);
      if (error instanceof LossyImport) throw lossyImportError(error);
      throw error;
    }
  };

  for (const url of collectionPaths('/admin/realms')) {
    app.get(url, listRealms);
    app.post(
      url,
      {
        bodyLimit: REALM_BODY_LIMIT,
        // Checked before the body is read, so nobody else can make the server parse a large file.
        onRequest: async (request) => {
          if (!canCreateRealm(request.adminIdentity!)) throw forbidden();
        },
      },
      createRealm,
    );
  }

  app.get('/admin/realms/:realm', async (request) => {
    const { identity, realm } = await adminScope(ctx, request);
    if (isAllowed(identity, realm, 'view-realm')) return representation(realm);
    if (hasAnyAdminRole(identity, realm)) return { realm: realm.realm.name };
    throw forbidden();
  });

  app.put('/admin/realms/:realm', async (request, reply) => {
    const { realm } = await adminScope(ctx, request, 'manage-realm');
    const body = readBody(request, realmUpdate);
    if (body.passwordPolicy !== undefined) checkPasswordPolicy(ctx, body.passwordPolicy);
    let name = realm.realm.name;
    if (body.realm !== undefined && body.realm !== name) {
      try {
        name = checkRealmName(body.realm, 'realm');
      } catch (error) {
        throw shapeToAdminError(error as ShapeError);
      }
      if (realm.realm.name === 'master') throw adminBadRequest("Can't rename master realm");
    }
    const settings = applyRealmSettings(realm.realm.settings, body);
    checkRealmLifespans(realm.realm.settings, settings);
    try {
      settings.smtpServer = storedSmtpServer(settings.smtpServer, realm.realm.settings.smtpServer, realm.keys.sealKey, realm.realm.id);
    } catch (error) {
      throw shapeToAdminError(error as ShapeError);
    }
    const updated = { ...realm.realm, name, settings };
    await ctx.realms.repository.transaction(async (tx) => {
      const clash = name === realm.realm.name ? undefined : await tx.findRealmByName(name);
      if (clash) throw adminConflict('Realm with same name exists');
      await tx.updateRealm(updated);
    });
    await ctx.realms.realmChanged(realm.realm.id);
    return reply.code(204).send();
  });

  // Keycloak's partial export: the realm without users or keys, secrets masked, for copying a realm's setup.
  app.post('/admin/realms/:realm/partial-export', async (request) => {
    const { identity, realm } = await adminScope(ctx, request, 'view-realm');
    const includeClients = queryBoolean(request, 'exportClients') === true;
    const includeGroupsAndRoles = queryBoolean(request, 'exportGroupsAndRoles') === true;
    if (includeClients && !isAllowed(identity, realm, 'view-clients')) throw forbidden();
    return exportRealm(ctx.realms.repository, realm.realm.name, { includeUsers: false, includeClients, includeGroupsAndRoles, maskSecrets: true, includeKeys: false });
  });

  app.delete('/admin/realms/:realm', async (request, reply) => {
    const { realm } = await adminScope(ctx, request, 'manage-realm');
    if (realm.realm.name === 'master') throw adminBadRequest("Can't delete master realm");
    await endRealmSessions(ctx, realm, false);
    await endRealmSessions(ctx, realm, true);
    await ctx.realms.repository.deleteRealm(realm.realm.id);
    await ctx.store.deleteLoginFailures(realm.realm.id);
    await ctx.events.writer.flush();
    await ctx.events.store.clearEvents(realm.realm.id);
    await ctx.events.store.clearAdminEvents(realm.realm.id);
    await ctx.realms.realmChanged(realm.realm.id);
    return reply.code(204).send();
  });
}
