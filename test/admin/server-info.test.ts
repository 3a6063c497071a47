/**
 * `/admin/serverinfo` and `/admin/{realm}/console/whoami` (issue #12.10) through
 * @keycloak/keycloak-admin-client 26 against a real listening holdfast: serverinfo lists only
 * what holdfast implements (the OIDC installation providers, the `client-secret` authenticator,
 * PKCS12), host facts go to master administrators only, a caller without admin roles is
 * refused; whoami answers Keycloak's fields for a token of the admin console and refuses tokens
 * of other clients and of other realms as Keycloak 26 does.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import KcAdminClient from '@keycloak/keycloak-admin-client';
import { adminClient, failure, startAdminServer, tokenFor, userWithManagementRoles, type AdminServer } from './admin-support.ts';
import { UnmanagedAttributePolicy } from '@keycloak/keycloak-admin-client/lib/defs/userProfileMetadata.js';

const REALM = 'info';

describe('admin API: serverinfo and whoami', () => {
  let server: AdminServer;
  let master: KcAdminClient;

  /** An admin client whose token comes from `security-admin-console` of `realm`, as the admin console's. */
  async function consoleClient(realm: string, username: string, password: string): Promise<KcAdminClient> {
    const client = new KcAdminClient({ baseUrl: server.url, realmName: realm });
    await client.auth({ grantType: 'password', clientId: 'security-admin-console', username, password });
    return client;
  }
  const raw = async (path: string, token?: string) => {
    const response = await fetch(`${server.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: response.status, body: await response.json().catch(() => undefined) };
  };
  const passwordToken = async (realm: string, clientId: string, username: string, password: string) =>
    (await tokenFor(server.url, realm, { grant_type: 'password', client_id: clientId, username, password })).body.access_token as string;

  before(async () => {
    server = await startAdminServer();
    master = await adminClient(server.url);
    await master.realms.create({ realm: REALM, enabled: true });
    for (const realm of ['master', REALM]) {
      master.setConfig({ realmName: realm });
      // Every realm has the console's client, as in Keycloak; the tests log in to it with passwords.
      const [console] = await master.clients.find({ clientId: 'security-admin-console' });
      await master.clients.update({ id: console.id! }, { ...console, directAccessGrantsEnabled: true });
      await master.clients.create({ clientId: 'tool', publicClient: true, directAccessGrantsEnabled: true });
    }
    master.setConfig({ realmName: 'master' });
    await userWithManagementRoles(server.url, REALM, 'viewer', ['view-clients']);
    await userWithManagementRoles(server.url, REALM, 'nobody', []);
    const kc = await adminClient(server.url, {}, REALM);
    const [viewer] = await kc.users.find({ username: 'viewer', exact: true });
    // `locale` is not in Keycloak's default user profile: the realm lets admins set unmanaged attributes.
    await kc.users.updateProfile({ ...(await kc.users.getProfile()), unmanagedAttributePolicy: UnmanagedAttributePolicy.AdminEdit });
    await kc.users.update({ id: viewer.id! }, { firstName: 'Vera', lastName: 'Viewer', attributes: { locale: ['de'] } });
  });
  after(async () => {
    await server.close();
  });

  it('lists what holdfast implements, with host facts for master administrators only', async () => {
    const info = await master.serverInfo.find();
    assert.equal(info.systemInfo?.version, JSON.parse((await import('node:fs')).readFileSync('package.json', 'utf8')).version);
    assert.match(info.systemInfo!.serverTime!, /^\w{3} \w{3} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4}$/);
    assert.match(info.systemInfo!.uptime!, /^\d+ days, \d+ hours, \d+ minutes, \d+ seconds$/);
    assert.equal((info.systemInfo as Record<string, unknown>).javaVersion, undefined);
    assert.ok(info.memoryInfo!.total! > info.memoryInfo!.used!);
    assert.match(info.memoryInfo!.totalFormated!, /^\d+ MB$/);
    assert.ok((info as { cpuInfo?: { processorCount: number } }).cpuInfo!.processorCount >= 1);
    assert.deepEqual(info.profileInfo, { name: 'default', disabledFeatures: [], previewFeatures: [], experimentalFeatures: [] });
    assert.deepEqual(info.cryptoInfo?.supportedKeystoreTypes, ['PKCS12']);
    assert.deepEqual(
      info.clientInstallations!['openid-connect'].map((p) => [p.id, p.filename, p.mediaType]),
      [
        ['keycloak-oidc-jboss-subsystem', 'keycloak-oidc-subsystem.xml', 'application/xml'],
        ['keycloak-oidc-jboss-subsystem-cli', 'keycloak-oidc-subsystem.cli', 'text/plain'],
        ['keycloak-oidc-keycloak-json', 'keycloak.json', 'application/json'],
      ],
    );
    assert.deepEqual(Object.keys((info.providers!['client-authenticator'] as { providers: object }).providers).sort(), ['client-jwt', 'client-secret', 'client-secret-jwt']);
    // What is listed is what holdfast honours: mapper types, policy rules, key providers, event types.
    const mapperTypes = info.protocolMapperTypes!['openid-connect'].map((t) => t.id);
    assert.ok(mapperTypes.includes('oidc-group-membership-mapper') && mapperTypes.includes('oidc-audience-mapper'));
    assert.ok(!mapperTypes.includes('oidc-script-based-protocol-mapper'));
    assert.ok(info.builtinProtocolMappers!['openid-connect'].some((m) => m.name === 'email' && m.protocolMapper === 'oidc-usermodel-attribute-mapper'));
    assert.ok(info.passwordPolicies!.some((p) => p.id === 'length') && info.passwordPolicies!.some((p) => p.id === 'notUsername'));
    assert.deepEqual(Object.keys(info.componentTypes!).sort(), ['org.keycloak.keys.KeyProvider', 'org.keycloak.userprofile.UserProfileProvider']);
    assert.ok((info.enums as Record<string, string[]>).eventType.includes('LOGIN_ERROR'));
    assert.deepEqual([info.identityProviders, info.socialProviders], [[], []]);

    const viewer = await adminClient(server.url, { realm: REALM, username: 'viewer', password: 'viewer-pw' });
    const realmInfo = await viewer.serverInfo.find();
    assert.equal(realmInfo.systemInfo, undefined);
    assert.equal(realmInfo.memoryInfo, undefined);
    assert.deepEqual(realmInfo.cryptoInfo, info.cryptoInfo);
  });

  it('refuses callers without a token or without any admin role', async () => {
    assert.deepEqual(await raw('/admin/serverinfo'), { status: 401, body: { error: 'HTTP 401 Unauthorized' } });
    const nobody = await adminClient(server.url, { realm: REALM, username: 'nobody', password: 'nobody-pw' });
    const refused = await failure(nobody.serverInfo.find());
    assert.deepEqual([refused.status, refused.body], [403, { error: 'HTTP 403 Forbidden' }]);
  });

  it('whoami answers the caller, their admin roles per realm, display name and locale', async () => {
    const viewer = await consoleClient(REALM, 'viewer', 'viewer-pw');
    const me = await viewer.whoAmI.find({ currentRealm: REALM });
    assert.deepEqual(me, {
      userId: me.userId,
      realm: REALM,
      displayName: 'Vera Viewer',
      locale: 'de',
      temporary: false,
      createRealm: false,
      // view-clients is a composite of query-clients, as in Keycloak: both show.
      realm_access: { [REALM]: ['query-clients', 'view-clients'] },
    });
    assert.equal(typeof me.userId, 'string');

    const admin = await consoleClient('master', 'admin', 'admin');
    const all = await admin.whoAmI.find();
    assert.equal(all.displayName, 'admin');
    assert.equal(all.createRealm, true);
    assert.ok(['master', REALM].every((r) => r in all.realm_access));
    assert.ok(all.realm_access[REALM].includes('realm-admin'));
    const one = await admin.whoAmI.find({ currentRealm: REALM });
    assert.deepEqual(Object.keys(one.realm_access), [REALM]);
  });

  it('whoami refuses other clients, other realms and callers without admin roles as Keycloak 26', async () => {
    const tool = await passwordToken(REALM, 'tool', 'viewer', 'viewer-pw');
    assert.deepEqual(await raw(`/admin/${REALM}/console/whoami`, tool), {
      status: 403,
      body: { error: 'Token issued for an application that is not the admin console: tool' },
    });
    const consoleToken = await passwordToken(REALM, 'security-admin-console', 'viewer', 'viewer-pw');
    assert.deepEqual(await raw('/admin/master/console/whoami', consoleToken), { status: 401, body: { error: 'HTTP 401 Unauthorized' } });
    assert.deepEqual(await raw(`/admin/${REALM}/console/whoami`), { status: 401, body: { error: 'HTTP 401 Unauthorized' } });
    const nobody = await passwordToken(REALM, 'security-admin-console', 'nobody', 'nobody-pw');
    assert.deepEqual(await raw(`/admin/${REALM}/console/whoami`, nobody), { status: 403, body: { error: 'No realm access' } });
    assert.deepEqual(await raw(`/admin/${REALM}/console/whoami?currentRealm=a&currentRealm=b`, consoleToken), {
      status: 400,
      body: { field: 'currentRealm', errorMessage: 'currentRealm: given more than once', params: [] },
    });
  });
});
