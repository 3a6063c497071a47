/**
 * `/users/profile`: the realm's declarative user profile (Keycloak's UPConfig) to read and
 * replace, and `/users/profile/metadata`, the profile as the admin console's user form sees it.
 * Reading needs any admin role, replacing needs manage-realm, the metadata query-users, as in
 * Keycloak. A config is checked whole before it is stored; a bad one changes nothing.
 */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context.ts';
import { newId } from '../../crypto/index.ts';
import { AdminError } from '../../errors/index.ts';
import { InvalidConfig, parseUpConfig, profileMetadata, UnreadableConfig, userProfileOf, effectiveUserProfile, type UPConfig } from '../../realm/index.ts';
import { forbidden, hasAnyAdminRole } from '../admin-auth.ts';
import { adminScope, refuseUnknownQuery } from '../admin-request.ts';

/** A UPConfig from untrusted JSON, or Keycloak's 400 for it. */
export function readUpConfig(value: unknown): UPConfig {
  try {
    return parseUpConfig(value);
  } catch (error) {
    if (error instanceof UnreadableConfig) throw new AdminError(400, { error: `Invalid json representation for UPConfig. ${error.message}` });
    if (error instanceof InvalidConfig) throw new AdminError(400, { errorMessage: error.message });
    throw error;
  }
}

export async function userProfileRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  app.get('/admin/realms/:realm/users/profile', async (request) => {
    const { identity, realm } = await adminScope(ctx, request);
    if (!hasAnyAdminRole(identity, realm)) throw forbidden();
    refuseUnknownQuery(request, []);
    return userProfileOf(realm);
  });

  app.put('/admin/realms/:realm/users/profile', async (request) => {
    const { realm } = await adminScope(ctx, request, 'manage-realm');
    refuseUnknownQuery(request, []);
    const config = readUpConfig(request.body);
    await ctx.realms.repository.setUserProfile(realm.realm.id, { componentId: realm.userProfile?.componentId ?? newId(), config });
    await ctx.realms.realmChanged(realm.realm.id);
    return config;
  });

  app.get('/admin/realms/:realm/users/profile/metadata', async (request) => {
    const { realm } = await adminScope(ctx, request, 'query-users');
    refuseUnknownQuery(request, []);
    return profileMetadata(effectiveUserProfile(realm), { role: 'admin', editUsernameAllowed: realm.realm.settings.editUsernameAllowed });
  });
}
