/**
 * `/admin/realms` and `/admin/realms/{realm}`: list, create (a full RealmRepresentation, through
 * the same import as `holdfast import`), read, update and delete realms.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { adminBadRequest, adminConflict } from '../../errors/index.ts';
import { applyRealmSettings, realmSettingChecks, toRealmRepresentation } from '../representations/realm.ts';
import { canCreateRealm, forbidden, hasAnyAdminRole, isAllowed, mayReach } from '../admin-auth.ts';
import { adminScope, collectionPaths, location, queryBoolean, readBody, shapeToAdminError } from '../admin-request.ts';
import { object, ShapeError, string } from '../json-shape.ts';
import { importRealm } from '../realm-file/import-realm.ts';
import { ImportConflict } from '../realm-file/import-conflict.ts';
import { checkRealmName } from '../realm-file/plan-realm.ts';
import { endRealmSessions } from '../realm-sessions.ts';
import type { LoadedRealm } from '../../realm/index.ts';
import { storedSmtpServer } from '../../mail/index.ts';

/** A realm file over HTTP can be large; only an authenticated realm creator gets this far. */
const REALM_BODY_LIMIT = 256 * 1024 * 1024;

const realmUpdate = object({ ...realmSettingChecks, realm: string });

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
    try {
      const { realm, warnings } = await importRealm(ctx.realms.repository, request.body, { nowMs: ctx.clock.nowMs() });
      await ctx.realms.realmChanged(realm.id);
      for (const warning of warnings) request.log.warn({ realm: realm.name }, `realm import: ${warning}`);
      return reply.code(201).header('location', location(ctx, request, realm.name)).send();
    } catch (error) {
      if (error instanceof ShapeError) throw shapeToAdminError(error);
      if (error instanceof ImportConflict) throw adminConflict(error.message);
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
