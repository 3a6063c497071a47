/**
 * What `holdfast start --demo` puts in an empty database: realm `demo` with a public SPA client,
 * a confidential service client and user alice, and realm `master` with `admin-cli` and a
 * bootstrap administrator.
 */
import type { RealmRepository } from './realm-repository.ts';
import { createRealm, newPasswordCredential, newUser, withSecret } from './realm-factory.ts';
import { clientDefaults } from './defaults.ts';
import { newId } from '../crypto/index.ts';

export const DEMO_REDIRECT_URIS = ['http://localhost:3000/*', 'http://127.0.0.1:3000/*'];
export const DEMO_SERVICE_SECRET = 'demo-service-secret';

export interface SeedResult {
  seeded: boolean;
  /** True when the admin password is the well-known default and must be changed. */
  defaultAdminPassword: boolean;
}

export async function seedDemo(
  repository: RealmRepository,
  admin: { username: string; password: string } | undefined,
  nowMs: number,
): Promise<SeedResult> {
  if ((await repository.listRealms()).length > 0) return { seeded: false, defaultAdminPassword: false };
  const nowSeconds = Math.floor(nowMs / 1000);
  const credentials = admin ?? { username: 'admin', password: 'admin' };
  await repository.transaction(async (tx) => {
    const master = await createRealm(tx, 'master', { displayName: 'Keycloak' }, nowSeconds);
    const masterRoles = await tx.listRoles(master.realm.id);
    const adminRole = masterRoles.find((r) => r.name === 'admin' && r.clientId === undefined)!;
    await tx.createUser(newUser(master.realm.id, { username: credentials.username }, nowMs), [master.defaultRoleId, adminRole.id], await newPasswordCredential(credentials.password, nowMs));

    const demo = await createRealm(tx, 'demo', { displayName: 'holdfast demo', rememberMe: true }, nowSeconds);
    await tx.createClient({
      ...clientDefaults(),
      id: newId(),
      realmId: demo.realm.id,
      clientId: 'demo-app',
      name: 'Demo single-page app',
      publicClient: true,
      redirectUris: DEMO_REDIRECT_URIS,
      webOrigins: ['+'],
      attributes: { 'pkce.code.challenge.method': 'S256', 'post.logout.redirect.uris': '+' },
    });
    const service = withSecret(
      {
        ...clientDefaults(),
        id: newId(),
        realmId: demo.realm.id,
        clientId: 'demo-service',
        name: 'Demo confidential service',
        redirectUris: DEMO_REDIRECT_URIS,
        webOrigins: ['+'],
        directAccessGrantsEnabled: true,
        serviceAccountsEnabled: true,
        attributes: { 'post.logout.redirect.uris': '+' },
      },
      DEMO_SERVICE_SECRET,
      demo.sealKey,
    );
    await tx.createClient(service);
    await tx.createUser(newUser(demo.realm.id, { username: 'service-account-demo-service', serviceAccountClientId: service.id }, nowMs), [demo.defaultRoleId]);
    await tx.createUser(
      newUser(demo.realm.id, { username: 'alice', email: 'alice@example.com', firstName: 'Alice', lastName: 'Liddell', emailVerified: true }, nowMs),
      [demo.defaultRoleId],
      await newPasswordCredential('alice', nowMs),
    );
  });
  return { seeded: true, defaultAdminPassword: admin === undefined };
}
