/**
 * Who may hand out, reshape or act on administrative power. An admin role is a realm-management
 * client role, or master's `admin` / `create-realm`; a role that contains one (through
 * composites, at any depth) confers it too. The rule is one: a caller may only grant, change,
 * remove, or act on the holder of, admin power that they hold themselves (master admins hold
 * all). So a user manager cannot make anyone — themselves included — more powerful than they
 * are, neither by mapping a role, by putting it inside another role, by renaming or deleting a
 * role, nor by taking over a more powerful account through its password or its service account.
 * Roles reached through groups are admin power like any other: a group confers its own roles and
 * those of every group above it, so joining one, making it a default group or moving it under a
 * parent with roles needs the power it then confers.
 *
 * Admin power is recognised by role names (as Keycloak does), so the built-in admin roles and the
 * realm's default role can never be renamed or deleted, and no other role can take their names:
 * otherwise renaming `default-roles-master` to `admin` would make every user an administrator.
 */
import type { Context } from '../context.ts';
import { adminBadRequest } from '../errors/index.ts';
import { effectiveRoles, groupRoleIds, type Client, type LoadedRealm, type Role, type User } from '../realm/index.ts';
import { forbidden, isMasterAdmin, MANAGEMENT_CLIENT, type AdminIdentity } from './admin-auth.ts';
import { findServiceAccount } from './service-accounts.ts';

const MASTER = 'master';
const MASTER_ADMIN_ROLES = ['admin', 'create-realm'];

interface AdminPower {
  realmRoles: string[];
  managementRoles: string[];
}

/** The admin roles that the given roles confer in `realm`, through composites at any depth. */
function conferredPower(realm: LoadedRealm, roleIds: string[]): AdminPower {
  const granted = effectiveRoles(realm, roleIds);
  return {
    realmRoles: realm.realm.name === MASTER ? granted.realmRoles.filter((name) => MASTER_ADMIN_ROLES.includes(name)) : [],
    managementRoles: granted.clientRoles[MANAGEMENT_CLIENT] ?? [],
  };
}

function holds(identity: AdminIdentity, realm: LoadedRealm, power: AdminPower): boolean {
  if (isMasterAdmin(identity)) return true;
  if (power.realmRoles.length === 0 && power.managementRoles.length === 0) return true;
  if (identity.realm.realm.id !== realm.realm.id) return false;
  const held = identity.user.roles;
  const heldManagement = held.clientRoles[MANAGEMENT_CLIENT] ?? [];
  return power.realmRoles.every((name) => held.realmRoles.includes(name)) && power.managementRoles.every((name) => heldManagement.includes(name));
}

/** May the caller map `role` to a user, or add it to a role's composites? */
export function mayGrant(identity: AdminIdentity, realm: LoadedRealm, role: Role): boolean {
  return holds(identity, realm, conferredPower(realm, [role.id]));
}

/** Updating, deleting or removing composites of a role that confers admin power needs that power. */
export function requireManageRole(identity: AdminIdentity, realm: LoadedRealm, role: Role): void {
  if (!mayGrant(identity, realm, role)) throw forbidden();
}

function isManagementClient(realm: LoadedRealm, clientUuid: string | undefined): boolean {
  return clientUuid !== undefined && realm.clientsById.get(clientUuid)?.clientId === MANAGEMENT_CLIENT;
}

/** A role whose name or id other parts of the server rely on: the admin roles and the default role. */
function builtInRole(realm: LoadedRealm, role: Pick<Role, 'id' | 'name' | 'clientId'>): boolean {
  if (role.id === realm.realm.settings.attributes.defaultRoleId) return true;
  if (isManagementClient(realm, role.clientId)) return true;
  return realm.realm.name === MASTER && role.clientId === undefined && MASTER_ADMIN_ROLES.includes(role.name);
}

/** Refuses renaming a built-in role, or giving any role a built-in admin name. */
export function checkRoleRename(realm: LoadedRealm, role: Role, newName: string): void {
  if (newName === role.name) return;
  if (builtInRole(realm, role)) throw adminBadRequest(`${role.name} is a built-in role of the realm and cannot be renamed.`, 'name');
  if (builtInRole(realm, { id: '', name: newName, clientId: role.clientId })) throw adminBadRequest(`${newName} is reserved for a built-in admin role.`, 'name');
}

export function checkRoleDeletable(realm: LoadedRealm, role: Role): void {
  if (role.id === realm.realm.settings.attributes.defaultRoleId) throw adminBadRequest(`${role.name} is default role of the realm and cannot be removed.`);
  if (builtInRole(realm, role)) throw adminBadRequest(`${role.name} is a built-in admin role of the realm and cannot be removed.`);
}

/** New roles in the realm-management client would count as admin roles: only a full realm admin adds them. */
export function requireCreateRoleIn(identity: AdminIdentity, realm: LoadedRealm, clientUuid: string | undefined, name: string): void {
  if (isManagementClient(realm, clientUuid) && !holds(identity, realm, { realmRoles: [], managementRoles: ['realm-admin'] })) throw forbidden();
  if (realm.realm.name === MASTER && clientUuid === undefined && MASTER_ADMIN_ROLES.includes(name) && !isMasterAdmin(identity)) throw forbidden();
}

/**
 * Membership of these groups confers their roles and their ancestors' roles: putting anyone into
 * one of them (or taking them out), making one a default group, moving one under another, or
 * deleting them needs every admin role that confers.
 */
export function requireGroupPower(identity: AdminIdentity, realm: LoadedRealm, groupIds: string[]): void {
  if (!holds(identity, realm, conferredPower(realm, groupRoleIds(realm, groupIds)))) throw forbidden();
}

async function mayActOnUser(ctx: Context, identity: AdminIdentity, realm: LoadedRealm, userId: string): Promise<boolean> {
  if (isMasterAdmin(identity)) return true;
  const [roleIds, groupIds] = await Promise.all([ctx.realms.repository.roleIdsOfUser(userId), ctx.realms.repository.groupIdsOfUser(userId)]);
  return holds(identity, realm, conferredPower(realm, [...roleIds, ...groupRoleIds(realm, groupIds)]));
}

/**
 * Changing a user (profile, enabled, credentials) or deleting them is acting as them from then
 * on; the caller must hold every admin role the user holds, directly or through groups.
 */
export async function requireActOnUser(ctx: Context, identity: AdminIdentity, realm: LoadedRealm, user: Pick<User, 'id'>): Promise<void> {
  if (!(await mayActOnUser(ctx, identity, realm, user.id))) throw forbidden();
}

/** A client's secret and settings are its service account's power: the same rule as for users. */
export async function mayActOnClient(ctx: Context, identity: AdminIdentity, realm: LoadedRealm, client: Client): Promise<boolean> {
  if (isMasterAdmin(identity) || !client.serviceAccountsEnabled) return true;
  const account = await findServiceAccount(ctx.realms.repository, client);
  return !account || (await mayActOnUser(ctx, identity, realm, account.id));
}

export async function requireActOnClient(ctx: Context, identity: AdminIdentity, realm: LoadedRealm, client: Client): Promise<void> {
  if (!(await mayActOnClient(ctx, identity, realm, client))) throw forbidden();
}

/**
 * Giving a realm a signing key whose private half the caller knows (an `rsa` key provider) lets
 * them mint any token of that realm, an administrator's included: it needs every admin role the
 * realm has.
 */
export function requireAllAdminPower(identity: AdminIdentity, realm: LoadedRealm): void {
  if (!holds(identity, realm, conferredPower(realm, [...realm.rolesById.keys()]))) throw forbidden();
}
