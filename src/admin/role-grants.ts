/**
 * Who may hand out an admin role. An admin role is a realm-management client role, or master's
 * `admin` / `create-realm`; a role that contains one (through composites, at any depth) counts
 * too. The caller must hold every admin role they would hand out (master admins hold all), so a
 * user manager cannot make anyone — themselves included — more powerful than they are, neither
 * by mapping a role to a user nor by putting it inside another role.
 */
import { effectiveRoles, type LoadedRealm, type Role } from '../realm/index.ts';
import { isMasterAdmin, type AdminIdentity } from './admin-auth.ts';

const MANAGEMENT_CLIENT = 'realm-management';
const MASTER_ADMIN_ROLES = ['admin', 'create-realm'];

export function mayGrant(identity: AdminIdentity, realm: LoadedRealm, role: Role): boolean {
  if (isMasterAdmin(identity)) return true;
  const granted = effectiveRoles(realm, [role.id]);
  const adminRealmRoles = realm.realm.name === 'master' ? granted.realmRoles.filter((name) => MASTER_ADMIN_ROLES.includes(name)) : [];
  const adminClientRoles = granted.clientRoles[MANAGEMENT_CLIENT] ?? [];
  if (adminRealmRoles.length === 0 && adminClientRoles.length === 0) return true;
  if (identity.realm.realm.id !== realm.realm.id) return false;
  const held = identity.user.roles;
  const heldManagement = held.clientRoles[MANAGEMENT_CLIENT] ?? [];
  return adminRealmRoles.every((name) => held.realmRoles.includes(name)) && adminClientRoles.every((name) => heldManagement.includes(name));
}
