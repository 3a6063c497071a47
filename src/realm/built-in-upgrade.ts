/**
 * Brings the realms an earlier release created up to this release's built-ins at start-up: the
 * built-in clients they lack (`account-console`, `broker`, `security-admin-console`), the
 * built-in roles they lack with Keycloak's composites, and `realm-admin` holding every
 * `realm-management` role. Keycloak does the same in its migrations. Additions only, so nodes of
 * the previous release keep running beside this one (DESIGN rule 8); run under the schema lock.
 */
import { createBuiltInClients } from './realm-factory.ts';
import type { RealmRepository } from './realm-repository.ts';

/** Returns the names of the realms that changed. */
export async function upgradeBuiltIns(repository: RealmRepository): Promise<string[]> {
  const changed: string[] = [];
  for (const realm of await repository.listRealms()) {
    const altered = await repository.transaction(async (tx) => {
      const clients = await tx.listClients(realm.id);
      const roles = await tx.listRoles(realm.id);
      let writes = 0;
      const counting = {
        createClient: (...a: Parameters<RealmRepository['createClient']>) => (writes++, tx.createClient(...a)),
        createRole: (...a: Parameters<RealmRepository['createRole']>) => (writes++, tx.createRole(...a)),
        updateRole: (...a: Parameters<RealmRepository['updateRole']>) => (writes++, tx.updateRole(...a)),
        addScopeMappings: (...a: Parameters<RealmRepository['addScopeMappings']>) => (writes++, tx.addScopeMappings(...a)),
      };
      const builtIns = await createBuiltInClients(counting, realm, clients, roles);
      const management = builtIns.byClientId.get('realm-management')!;
      const realmAdmin = builtIns.roles.find((r) => r.clientId === management.id && r.name === 'realm-admin');
      if (realmAdmin) {
        const missing = builtIns.roles.filter((r) => r.clientId === management.id && r.id !== realmAdmin.id && !realmAdmin.composites.includes(r.id)).map((r) => r.id);
        if (missing.length > 0) await counting.updateRole({ ...realmAdmin, composites: [...realmAdmin.composites, ...missing] });
      }
      return writes > 0;
    });
    if (altered) changed.push(realm.name);
  }
  return changed;
}
