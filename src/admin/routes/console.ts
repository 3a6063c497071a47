/**
 * `GET /admin/{realm}/console/whoami`, which Keycloak's admin console reads first: who the caller
 * is and which admin roles they hold in each realm (`realm_access`). As in Keycloak 26, only a
 * token of the path's realm issued to `security-admin-console` is accepted, and a caller without
 * any admin role gets 403 `No realm access`. A master administrator holds every realm's
 * realm-management roles (holdfast has no `<realm>-realm` clients; master's `admin` covers all).
 */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context.ts';
import { AdminError } from '../../errors/index.ts';
import { canCreateRealm, isMasterAdmin, managementRoles, MANAGEMENT_CLIENT, unauthorized, type AdminIdentity } from '../admin-auth.ts';
import { queryString } from '../admin-request.ts';
import type { LoadedRealm } from '../../realm/index.ts';

const ADMIN_CONSOLE = 'security-admin-console';

function allManagementRoles(realm: LoadedRealm): string[] {
  const client = realm.clientsByClientId.get(MANAGEMENT_CLIENT);
  return client ? [...realm.rolesById.values()].filter((r) => r.clientId === client.id).map((r) => r.name) : [];
}

/** Keycloak's displayName: first and last name when either is set, else the username. */
function displayName(identity: AdminIdentity): string {
  const { firstName, lastName, username } = identity.user.user;
  const names = [firstName, lastName].filter((n): n is string => n !== undefined && n.trim() !== '');
  return names.length > 0 ? names.join(' ') : username;
}

async function realmAccess(ctx: Context, identity: AdminIdentity, currentRealm: string | undefined): Promise<Record<string, string[]>> {
  if (!isMasterAdmin(identity)) {
    const held = [...managementRoles(identity)].sort();
    return held.length > 0 ? { [identity.realm.realm.name]: held } : {};
  }
  const names = currentRealm !== undefined ? [currentRealm] : (await ctx.realms.repository.listRealms()).map((r) => r.name);
  const access: Record<string, string[]> = {};
  for (const name of names) {
    const realm = await ctx.realms.getRealm(name);
    if (realm) access[name] = allManagementRoles(realm).sort();
  }
  return access;
}

export async function consoleRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  app.get('/admin/:realm/console/whoami', async (request) => {
    const identity = request.adminIdentity!;
    if (identity.realm.realm.name !== (request.params as { realm: string }).realm) throw unauthorized();
    if (identity.azp !== ADMIN_CONSOLE) throw new AdminError(403, { error: `Token issued for an application that is not the admin console: ${identity.azp}` });
    const access = await realmAccess(ctx, identity, queryString(request, 'currentRealm'));
    if (Object.keys(access).length === 0) throw new AdminError(403, { error: 'No realm access' });
    const user = identity.user.user;
    return {
      userId: user.id,
      realm: identity.realm.realm.name,
      displayName: displayName(identity),
      locale: user.attributes.locale?.[0] ?? 'en',
      temporary: user.attributes.is_temporary_admin?.[0] === 'true',
      createRealm: canCreateRealm(identity),
      realm_access: access,
    };
  });
}
