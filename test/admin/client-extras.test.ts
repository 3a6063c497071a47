/**
 * Client and role endpoints of issue #12.11 through @keycloak/keycloak-admin-client 26 against a
 * real listening holdfast: registration access tokens (stored hashed), the rotated secret (it
 * authenticates until its expiration time, `DELETE client-secret/rotated` ends it), installation
 * files byte for byte as Keycloak 26 renders them, cluster nodes, certificates (generate, PKCS12
 * download, upload; no private key is ever stored), composite listings with search and paging,
 * and authorization services answered as for a client without them; bad input and least
 * privilege for each.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import type KcAdminClient from '@keycloak/keycloak-admin-client';
import forge from 'node-forge';
import { exportRealm, importRealm } from '../../src/admin/index.ts';
import { sha256Hex } from '../../src/crypto/index.ts';
import { adminClient, adminRequest, failure, masterToken, startAdminServer, tokenFor, userWithManagementRoles, type AdminServer } from './admin-support.ts';

const REALM = 'apps';
const FORBIDDEN = { status: 403, body: { error: 'HTTP 403 Forbidden' } };

describe('admin API: client extras', () => {
  let server: AdminServer;
  let kc: KcAdminClient;
  let token: string;
  let viewerToken: string;
  let appId: string;
  const request = (method: string, path: string, body?: unknown, as = token) =>
    adminRequest(server.url, as, method, `/${REALM}${path}`, body).then((r) => ({ status: r.status, body: r.body }));
  const stored = async (id: string) => (await server.holdfast.ctx.realms.getRealm(REALM))!.clientsById.get(id)!;
  const clientLogin = (secret: string) => tokenFor(server.url, REALM, { grant_type: 'client_credentials', client_id: 'app', client_secret: secret });

  before(async () => {
    server = await startAdminServer();
    const master = await adminClient(server.url);
    await master.realms.create({ realm: REALM, enabled: true });
    kc = await adminClient(server.url, {}, REALM);
    token = await masterToken(server.url);
    ({ id: appId } = await kc.clients.create({ clientId: 'app', secret: 'app-secret', serviceAccountsEnabled: true, adminUrl: 'http://app.example:9/app' }));
    await userWithManagementRoles(server.url, REALM, 'viewer', ['view-clients']);
    viewerToken = (await tokenFor(server.url, REALM, { grant_type: 'password', client_id: 'admin-cli', username: 'viewer', password: 'viewer-pw' })).body.access_token;
  });
  after(async () => {
    await server.close();
  });

  it('issues a registration access token once and keeps only its hash', async () => {
    const rep = (await kc.clients.generateRegistrationAccessToken({ id: appId })) as { clientId?: string; secret?: string; registrationAccessToken?: string };
    assert.equal(rep.clientId, 'app');
    assert.equal(typeof rep.registrationAccessToken, 'string');
    assert.equal(rep.secret, undefined);
    const client = await stored(appId);
    assert.equal(client.registrationTokenHash, sha256Hex(rep.registrationAccessToken!));
    assert.equal((await kc.clients.findOne({ id: appId }))!.registrationAccessToken, undefined);
    assert.deepEqual(await request('POST', `/clients/${appId}/registration-access-token`, undefined, viewerToken), FORBIDDEN);
  });

  it('lets a rotated secret authenticate until it expires, and DELETE client-secret/rotated ends it', async () => {
    // The admin client has no call to read it; the admin console reads it with this GET.
    assert.deepEqual(await request('GET', `/clients/${appId}/client-secret/rotated`), { status: 404, body: { error: 'Client does not have a rotated secret' } });
    const now = server.holdfast.ctx.sessions.now();
    const { value: current } = await kc.clients.generateNewClientSecret({ id: appId });
    await kc.clients.update(
      { id: appId },
      { attributes: { 'client.secret.rotated': 'app-secret', 'client.secret.rotated.creation.time': String(now), 'client.secret.rotated.expiration.time': String(now + 3600) } },
    );
    // Kept hashed and sealed, never among the attributes.
    const client = await stored(appId);
    assert.equal(client.attributes['client.secret.rotated'], undefined);
    assert.equal(client.rotatedSecret!.hash, sha256Hex('app-secret'));
    assert.deepEqual(await request('GET', `/clients/${appId}/client-secret/rotated`), { status: 200, body: { type: 'secret', value: 'app-secret' } });
    const shown = (await kc.clients.findOne({ id: appId }))!.attributes!;
    assert.deepEqual([shown['client.secret.rotated'], shown['client.secret.rotated.expiration.time']], ['app-secret', String(now + 3600)]);

    assert.equal((await clientLogin(current!)).status, 200);
    assert.equal((await clientLogin('app-secret')).status, 200);
    await kc.clients.invalidateSecret({ id: appId });
    assert.equal((await clientLogin('app-secret')).status, 401);
    assert.equal((await clientLogin(current!)).status, 200);
    await kc.clients.invalidateSecret({ id: appId });

    // An expired rotated secret is kept for the record but no longer authenticates.
    await kc.clients.update({ id: appId }, { attributes: { 'client.secret.rotated': 'old', 'client.secret.rotated.expiration.time': String(now - 1) } });
    assert.equal((await clientLogin('old')).status, 401);
    assert.deepEqual(await request('PUT', `/clients/${appId}`, { attributes: { 'client.secret.rotated.expiration.time': 'soon' } }), {
      status: 400,
      body: { field: 'attributes.client.secret.rotated.expiration.time', errorMessage: 'attributes.client.secret.rotated.expiration.time: expected a time in seconds', params: [] },
    });
    // Reading it needs view-clients, as the current secret does (in Keycloak too); ending it manage-clients.
    assert.equal((await request('GET', `/clients/${appId}/client-secret/rotated`, undefined, viewerToken)).status, 200);
    assert.deepEqual(await request('DELETE', `/clients/${appId}/client-secret/rotated`, undefined, viewerToken), FORBIDDEN);
    await kc.clients.update({ id: appId }, { attributes: { 'client.secret.rotated': '' } });
    assert.equal((await stored(appId)).rotatedSecret, undefined);
  });

  it('renders installation files exactly as Keycloak 26', async () => {
    await kc.clients.update({ id: appId }, { secret: 'app-secret' });
    // The exact bytes; the admin client parses what it can as JSON (checked once below).
    const install = (id: string, providerId: string) =>
      fetch(`${server.url}/admin/realms/${REALM}/clients/${id}/installation/providers/${providerId}`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.text());
    const auth = `${server.url}/`;
    assert.equal(
      await install(appId, 'keycloak-oidc-keycloak-json'),
      `{\n  "realm" : "apps",\n  "auth-server-url" : "${auth}",\n  "ssl-required" : "external",\n  "resource" : "app",\n  "credentials" : {\n    "secret" : "app-secret"\n  },\n  "confidential-port" : 0\n}`,
    );
    assert.deepEqual(await kc.clients.getInstallationProviders({ id: appId, providerId: 'keycloak-oidc-keycloak-json' }), {
      realm: 'apps',
      'auth-server-url': auth,
      'ssl-required': 'external',
      resource: 'app',
      credentials: { secret: 'app-secret' },
      'confidential-port': 0,
    });
    await kc.clients.createRole({ id: appId, name: 'reader' });
    assert.equal(
      await install(appId, 'keycloak-oidc-jboss-subsystem'),
      `<secure-deployment name="WAR MODULE NAME.war">\n    <realm>apps</realm>\n    <auth-server-url>${auth}</auth-server-url>\n    <ssl-required>EXTERNAL</ssl-required>\n    <resource>app</resource>\n    <verify-token-audience>true</verify-token-audience>\n    <credential name="secret">app-secret</credential>\n    <use-resource-role-mappings>true</use-resource-role-mappings>\n</secure-deployment>\n`,
    );
    assert.equal(
      await install(appId, 'keycloak-oidc-jboss-subsystem-cli'),
      `/subsystem=keycloak/secure-deployment="WAR MODULE NAME.war"/:add( \\\n    realm="apps", \\\n    resource="app", \\\n    auth-server-url=${auth}, \\\n    verify-token-audience=true, \\\n    use-resource-role-mappings=true, \\\n    ssl-required=EXTERNAL)\n\n/subsystem=keycloak/secure-deployment="WAR MODULE NAME.war"/credential=secret:add(value=app-secret)\n`,
    );
    const { id: pubId } = await kc.clients.create({ clientId: 'pub', publicClient: true });
    assert.equal(
      await install(pubId, 'keycloak-oidc-keycloak-json'),
      `{\n  "realm" : "apps",\n  "auth-server-url" : "${auth}",\n  "ssl-required" : "external",\n  "resource" : "pub",\n  "public-client" : true,\n  "confidential-port" : 0\n}`,
    );
    const { id: boId } = await kc.clients.create({ clientId: 'bo', bearerOnly: true });
    await kc.clients.createRole({ id: boId, name: 'r1' });
    assert.equal(
      await install(boId, 'keycloak-oidc-keycloak-json'),
      `{\n  "realm" : "apps",\n  "bearer-only" : true,\n  "auth-server-url" : "${auth}",\n  "ssl-required" : "external",\n  "resource" : "bo",\n  "verify-token-audience" : true,\n  "use-resource-role-mappings" : true,\n  "confidential-port" : 0\n}`,
    );
    assert.deepEqual(await request('GET', `/clients/${appId}/installation/providers/nope`), { status: 404, body: { error: 'Unknown Provider' } });
    // The file carries the secret: only for those who may read it; a public client's is for any viewer.
    assert.equal((await request('GET', `/clients/${pubId}/installation/providers/keycloak-oidc-keycloak-json`, undefined, viewerToken)).status, 200);
  });

  it('registers and removes cluster nodes, and reports adapter pushes as not sent', async () => {
    await kc.clients.addClusterNode({ id: appId, node: '10.0.0.1' });
    const nodes = (await kc.clients.findOne({ id: appId }))!.registeredNodes!;
    assert.deepEqual(Object.keys(nodes), ['10.0.0.1']);
    assert.equal(typeof nodes['10.0.0.1'], 'number');
    assert.deepEqual(await kc.clients.testNodesAvailable({ id: appId }), { failedRequests: ['http://10.0.0.1:9/app'] });
    assert.deepEqual(await kc.clients.pushRevocation({ id: appId }), { failedRequests: ['http://10.0.0.1:9/app'] });
    await kc.clients.deleteClusterNode({ id: appId, node: '10.0.0.1' });
    assert.equal((await kc.clients.findOne({ id: appId }))!.registeredNodes, undefined);
    assert.deepEqual(await kc.clients.testNodesAvailable({ id: appId }), { failedRequests: ['http://app.example:9/app'] });

    assert.deepEqual(await request('DELETE', `/clients/${appId}/nodes/nope`), { status: 404, body: { error: 'Client does not have node ' } });
    assert.deepEqual(await request('POST', `/clients/${appId}/nodes`, {}), { status: 400, body: { error: 'Node not found in params' } });
    assert.deepEqual((await request('POST', `/clients/${appId}/nodes`, { node: 'n'.repeat(256) })).status, 400);
    assert.deepEqual((await request('POST', `/clients/${appId}/nodes`, { node: 7 })).status, 400);
    assert.deepEqual(await request('POST', `/clients/${appId}/nodes`, { node: 'x' }, viewerToken), FORBIDDEN);
  });

  it('generates certificates, downloads PKCS12 keystores and never stores a private key', async () => {
    assert.deepEqual(await kc.clients.getKeyInfo({ id: appId, attr: 'jwt.credential' }), {});
    const missing = await request('POST', `/clients/${appId}/certificates/jwt.credential/download`, { format: 'PKCS12', keyAlias: 'a', storePassword: 'sp' });
    assert.deepEqual(missing, { status: 404, body: { error: 'keypair not generated for client' } });

    const generated = await kc.clients.generateKey({ id: appId, attr: 'jwt.credential' });
    const cert = new X509Certificate(Buffer.from(generated.certificate!, 'base64'));
    assert.equal(cert.subject, 'CN=app');
    assert.equal((cert.publicKey.asymmetricKeyDetails as { modulusLength: number }).modulusLength, 4096);
    assert.match(generated.privateKey!, /^MII/);
    assert.deepEqual(await kc.clients.getKeyInfo({ id: appId, attr: 'jwt.credential' }), { certificate: generated.certificate });
    assert.ok(!JSON.stringify(await stored(appId)).includes(generated.privateKey!));

    const download = await fetch(`${server.url}/admin/realms/${REALM}/clients/${appId}/certificates/jwt.credential/download`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ format: 'PKCS12', keyAlias: 'app', storePassword: 'sp' }),
    });
    assert.equal(download.headers.get('content-type'), 'application/octet-stream');
    const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(Buffer.from(await download.arrayBuffer()).toString('binary')), 'sp');
    assert.equal(p12.getBags({ friendlyName: 'app' }).friendlyName!.length, 1);
    assert.equal((p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag] ?? []).length, 0);

    const both = await fetch(`${server.url}/admin/realms/${REALM}/clients/${appId}/certificates/jwt.credential/generate-and-download`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ format: 'PKCS12', keyAlias: 'app', keyPassword: 'sp', storePassword: 'sp' }),
    });
    const withKey = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(Buffer.from(await both.arrayBuffer()).toString('binary')), 'sp');
    assert.equal(withKey.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag]!.length, 1);
    assert.notEqual((await kc.clients.getKeyInfo({ id: appId, attr: 'jwt.credential' })).certificate, generated.certificate);

    const download400 = (body: unknown) => request('POST', `/clients/${appId}/certificates/jwt.credential/download`, body);
    assert.deepEqual(await download400({ format: 'JKS', storePassword: 'sp' }), { status: 406, body: { error: 'Not supported keystore format. Supported keystore formats: [PKCS12]' } });
    assert.deepEqual(await download400({ format: 'PKCS12' }), { status: 400, body: { error: 'password-missing', error_description: 'Need to specify a store password for jks download' } });
    assert.equal((await download400({ format: 'PKCS12', storePassword: 'a', keyPassword: 'b' })).status, 400);
    assert.equal((await download400({ format: 'PKCS12', storePassword: 'a', realmCertificate: true })).status, 400);
    assert.equal((await download400({})).status, 400);
    assert.equal((await request('GET', `/clients/${appId}/certificates/bad%20attr`)).status, 400);
    assert.deepEqual(await request('POST', `/clients/${appId}/certificates/jwt.credential/generate`, undefined, viewerToken), FORBIDDEN);
  });

  it('uploads certificates from PEM and PKCS12 files', async () => {
    const { certificate, privateKey } = await kc.clients.generateKey({ id: appId, attr: 'other' });
    const pem = `-----BEGIN CERTIFICATE-----\n${certificate}\n-----END CERTIFICATE-----\n`;
    const upload = (action: string, fields: Record<string, string>, file: Blob | undefined, as = token) => {
      const form = new FormData();
      for (const [name, value] of Object.entries(fields)) form.append(name, value);
      if (file) form.append('file', file, 'upload');
      return fetch(`${server.url}/admin/realms/${REALM}/clients/${appId}/certificates/jwt.credential/${action}`, { method: 'POST', headers: { authorization: `Bearer ${as}` }, body: form }).then(
        async (r) => ({ status: r.status, body: await r.json() }),
      );
    };
    assert.deepEqual(await upload('upload-certificate', { keystoreFormat: 'Certificate PEM' }, new Blob([pem])), { status: 200, body: { certificate } });
    assert.deepEqual(await kc.clients.getKeyInfo({ id: appId, attr: 'jwt.credential' }), { certificate });

    const keyPem = `-----BEGIN RSA PRIVATE KEY-----\n${privateKey}\n-----END RSA PRIVATE KEY-----\n`;
    const refused = await upload('upload', { keystoreFormat: 'Certificate PEM' }, new Blob([pem + keyPem]));
    assert.equal(refused.status, 400);
    assert.match(refused.body.errorMessage, /does not store client private keys/);
    assert.equal((await upload('upload', { keystoreFormat: 'Certificate PEM' }, new Blob([pem]))).status, 200);

    const p12 = forge.pkcs12.toPkcs12Asn1(null, [forge.pki.certificateFromPem(pem)], 'pw', { algorithm: '3des', friendlyName: 'mine' });
    const p12File = new Blob([Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary')]);
    assert.deepEqual(await upload('upload-certificate', { keystoreFormat: 'PKCS12', keyAlias: 'mine', storePassword: 'pw' }, p12File), { status: 200, body: { certificate } });
    assert.equal((await upload('upload-certificate', { keystoreFormat: 'PKCS12', keyAlias: 'mine', storePassword: 'wrong' }, p12File)).status, 400);
    assert.equal((await upload('upload-certificate', { keystoreFormat: 'PKCS12', keyAlias: 'other', storePassword: 'pw' }, p12File)).status, 400);
    assert.equal((await upload('upload-certificate', { keystoreFormat: 'JKS' }, new Blob([pem]))).status, 400);
    assert.equal((await upload('upload-certificate', { keystoreFormat: 'Certificate PEM' }, new Blob(['not a certificate']))).status, 400);
    assert.equal((await upload('upload-certificate', { keystoreFormat: 'Certificate PEM' }, undefined)).status, 400);
    assert.equal((await upload('upload-certificate', { keystoreFormat: 'Certificate PEM' }, new Blob([pem]), viewerToken)).status, 403);
  });

  it('lists composites by id with search and paging, and by name, realm and client', async () => {
    const names = (roles: Array<{ name?: string }>) => roles.map((r) => r.name);
    await kc.roles.create({ name: 'bundle' });
    for (const name of ['alpha', 'beta', 'gamma']) await kc.roles.create({ name });
    const bundle = (await kc.roles.findOneByName({ name: 'bundle' }))!;
    const realmRoles = await Promise.all(['alpha', 'beta', 'gamma'].map((name) => kc.roles.findOneByName({ name })));
    const reader = (await kc.clients.findRole({ id: appId, roleName: 'reader' }))!;
    await kc.roles.createComposite({ roleId: bundle.id! }, [...realmRoles.map((r) => ({ id: r!.id, name: r!.name })), { id: reader.id, name: reader.name }]);

    assert.deepEqual(names(await kc.roles.getCompositeRoles({ id: bundle.id!, search: 'a', first: 1, max: 2 } as never)), ['beta', 'gamma']);
    assert.deepEqual(names(await kc.roles.getCompositeRoles({ id: bundle.id!, search: 'AMM' } as never)), ['gamma']);
    assert.deepEqual(names(await kc.roles.getCompositeRoles({ id: bundle.id! })), ['alpha', 'beta', 'gamma', 'reader']);
    assert.deepEqual(names(await kc.roles.getCompositeRolesForRealm({ id: bundle.id! })), ['alpha', 'beta', 'gamma']);
    assert.deepEqual(names(await kc.roles.getCompositeRolesForClient({ id: bundle.id!, clientId: appId })), ['reader']);
    assert.deepEqual(names((await request('GET', '/roles/bundle/composites')).body), ['alpha', 'beta', 'gamma', 'reader']);
    assert.deepEqual(names((await request('GET', '/roles/bundle/composites/realm')).body), ['alpha', 'beta', 'gamma']);
    assert.deepEqual(names((await request('GET', `/roles/bundle/composites/clients/${appId}`)).body), ['reader']);
    assert.deepEqual((await request('DELETE', '/roles/bundle/composites', [{ id: reader.id }])).status, 204);
    assert.deepEqual(names((await request('GET', `/roles-by-id/${bundle.id}/composites/clients/${appId}`)).body), []);
    assert.deepEqual(await request('GET', `/roles-by-id/${bundle.id}/composites/clients/nope`), { status: 404, body: { error: 'Could not find client' } });
    assert.equal((await request('GET', `/roles-by-id/${bundle.id}/composites?first=x`)).status, 400);
  });

  it('keeps the credentials of a client whose service account holds admin power from lesser managers', async () => {
    const { id } = await kc.clients.create({ clientId: 'powerful', secret: 'powerful-secret', serviceAccountsEnabled: true });
    const account = await kc.clients.getServiceAccountUser({ id });
    const management = (await kc.clients.find({ clientId: 'realm-management' }))[0];
    const realmAdmin = (await kc.clients.findRole({ id: management.id!, roleName: 'realm-admin' }))!;
    await kc.users.addClientRoleMappings({ id: account.id!, clientUniqueId: management.id!, roles: [{ id: realmAdmin.id!, name: realmAdmin.name! }] });
    await userWithManagementRoles(server.url, REALM, 'manager', ['manage-clients', 'view-clients']);
    const manager = (await tokenFor(server.url, REALM, { grant_type: 'password', client_id: 'admin-cli', username: 'manager', password: 'manager-pw' })).body.access_token;
    for (const [method, path, body] of [
      ['POST', 'registration-access-token'],
      ['GET', 'client-secret/rotated'],
      ['DELETE', 'client-secret/rotated'],
      ['GET', 'installation/providers/keycloak-oidc-keycloak-json'],
      ['POST', 'certificates/jwt.credential/generate'],
      ['POST', 'certificates/jwt.credential/generate-and-download', { format: 'PKCS12', storePassword: 'sp', keyPassword: 'sp' }],
    ] as Array<[string, string, unknown?]>) {
      assert.deepEqual(await request(method, `/clients/${id}/${path}`, body, manager), FORBIDDEN, `${method} ${path}`);
    }
    assert.deepEqual(await kc.clients.getKeyInfo({ id, attr: 'jwt.credential' }), {});
  });

  it('carries the rotated secret, nodes, certificates and localization texts through export and import unchanged', async () => {
    const now = server.holdfast.ctx.sessions.now();
    await kc.clients.update({ id: appId }, { secret: 'app-secret', attributes: { 'client.secret.rotated': 'before', 'client.secret.rotated.expiration.time': String(now + 3600) } });
    await kc.clients.addClusterNode({ id: appId, node: 'node-a' });
    await kc.realms.addLocalization({ realm: REALM, selectedLocale: 'en', key: 'hello' }, 'Hello');
    const repository = server.holdfast.ctx.realms.repository;
    const first = await exportRealm(repository, REALM, { includeUsers: true });
    const app = (first.clients as Array<Record<string, any>>).find((c) => c.clientId === 'app')!;
    assert.equal(app.attributes['client.secret.rotated'], 'before');
    assert.deepEqual(Object.keys(app.registeredNodes), ['node-a']);
    assert.ok(app.attributes['jwt.credential.certificate']);
    await importRealm(repository, structuredClone(first), { nowMs: Date.now(), ifExists: 'replace' });
    await server.holdfast.ctx.realms.realmChanged(first.id as string);
    const withoutBearerSecret = (file: Record<string, unknown>) => ({
      ...file,
      clients: (file.clients as Array<Record<string, unknown>>).map(({ secret, ...client }) => (client.bearerOnly ? client : { ...client, secret })),
    });
    assert.deepEqual(withoutBearerSecret(await exportRealm(repository, REALM, { includeUsers: true })), withoutBearerSecret(first));
    assert.equal((await clientLogin('before')).status, 200);
    assert.equal((await stored(appId)).attributes['client.secret.rotated'], undefined);
  });

  it('answers authorization services as Keycloak does for a client without them', async () => {
    for (const path of ['/authz/resource-server', '/authz/resource-server/resource', '/authz/resource-server/policy']) {
      assert.deepEqual(await request('GET', `/clients/${appId}${path}`), { status: 404, body: { error: 'HTTP 404 Not Found' } });
    }
    assert.deepEqual(await request('GET', `/clients/nope/authz/resource-server`), { status: 404, body: { error: 'Could not find client' } });
  });
});
