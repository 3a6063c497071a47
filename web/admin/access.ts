/**
 * What the signed-in admin may do, from `GET /admin/{realm}/console/whoami`: the realm-management
 * roles held per realm. The console only hides what the roles do not allow; the admin API is what
 * enforces them.
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { api } from './api.ts';
import { environment } from './environment.ts';

export interface WhoAmI {
  userId: string;
  realm: string;
  displayName: string;
  locale: string;
  createRealm: boolean;
  realm_access: Record<string, string[]>;
}

export type AdminRole =
  | 'view-realm' | 'manage-realm'
  | 'view-users' | 'manage-users' | 'query-users' | 'query-groups'
  | 'view-clients' | 'manage-clients' | 'query-clients'
  | 'view-events' | 'manage-events'
  | 'view-identity-providers' | 'manage-identity-providers'
  | 'impersonation';

export class Access {
  constructor(
    readonly whoami: WhoAmI,
    /** Reads whoami again, e.g. after a realm was created (its admin roles are new). */
    readonly refresh: () => Promise<void> = async () => {},
  ) {}

  get realms(): string[] {
    return Object.keys(this.whoami.realm_access).sort();
  }

  /** `realm-admin` holds everything, and a `manage-*` role includes its `view-*` role in the console. */
  can(realm: string, role: AdminRole): boolean {
    const held = this.whoami.realm_access[realm] ?? [];
    if (held.includes('realm-admin') || held.includes(role)) return true;
    return role.startsWith('view-') && held.includes(role.replace('view-', 'manage-'));
  }

  canAny(realm: string, roles: readonly AdminRole[]): boolean {
    return roles.length === 0 ? this.realms.includes(realm) : roles.some((role) => this.can(realm, role));
  }
}

export function loadAccess(): Promise<WhoAmI> {
  return api.get<WhoAmI>(`/admin/${encodeURIComponent(environment.loginRealm)}/console/whoami`);
}

export const AccessContext = createContext<Access | undefined>(undefined);

export function useAccess(): Access {
  const access = useContext(AccessContext);
  if (!access) throw new Error('useAccess outside the console shell');
  return access;
}
