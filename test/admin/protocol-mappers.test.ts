/**
 * The protocol-mapper endpoints of clients and client scopes (issue #12.3) with the real
 * admin client: models CRUD, add-models, by protocol, on both owners; Keycloak's status and
 * messages for bad input (a name taken, a missing mapper or owner) and holdfast's refusals where
 * Keycloak would store a mapper that does nothing (types it does not apply, a SAML mapper on an
 * OIDC scope, mapper changes hidden in an owner update); nothing written on a refused add-models;
 * least privilege (a mapper cannot put into tokens a role the caller could not grant); realm files
 * carry client mappers both ways. On SQLite and PostgreSQL.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type KcAdminClient from '@keycloak/keycloak-admin-client';
import { exportRealm, importRealm } from '../../src/admin/index.ts';
import { supportedMapperType } from '../../src/realm/index.ts';
import { adminClient, adminRequest, failure, userWithManagementRoles, type AdminServer, startAdminRealm } from './admin-support.ts';

const REALM = 'mappers';
const OIDC = 'openid-connect';
const claim = (name: string, claimName = name) => ({ name, protocol: OIDC, protocolMapper: 'oidc-hardcoded-claim-mapper', config: { 'claim.name': claimName, 'claim.value': 'v' } });

for (const dialect of ['sqlite', 'postgres'] as const) describe(`admin API: protocol mappers (${dialect})`, () => {
  let server: AdminServer;
  let kc: KcAdminClient;
  let token: string;
  let clientId: string;
  let scopeId: string;

  before(async () => {
    ({ server, kc, token } = await startAdminRealm(dialect, REALM));
    ({ id: clientId } = await kc.clients.create({ clientId: 'app', protocolMappers: [claim('at-create')] }));
    await kc.clientScopes.create({ name: 'extras', protocol: OIDC });
    scopeId = (await kc.clientScopes.findOneByName({ name: 'extras' }))!.id!;
  });
  after(async () => {
    await server?.close();
  });

  it('creates, lists, reads, updates and deletes the mappers of a client and of a scope', async () => {
    assert.deepEqual((await kc.clients.listProtocolMappers({ id: clientId })).map((m) => m.name), ['at-create']);
    for (const [owner, api] of [
      [{ id: clientId }, kc.clients],
      [{ id: scopeId }, kc.clientScopes],
    ] as const) {
      await api.addProtocolMapper(owner, claim('one'));
      await api.addMultipleProtocolMappers(owner, [claim('two'), claim('three')]);
      const listed = await api.listProtocolMappers(owner);
      const one = listed.find((m) => m.name === 'one')!;
      assert.match(one.id!, /^[0-9a-f-]{36}$/);
      assert.deepEqual({ ...one, id: undefined }, { ...claim('one'), consentRequired: false, id: undefined });
      const found = api === kc.clients ? await kc.clients.findProtocolMapperById({ id: clientId, mapperId: one.id! }) : await kc.clientScopes.findProtocolMapper({ id: scopeId, mapperId: one.id! });
      assert.deepEqual(found, one);
      assert.ok((await api.findProtocolMappersByProtocol({ ...owner, protocol: OIDC })).length >= 3);
      assert.deepEqual(await api.findProtocolMappersByProtocol({ ...owner, protocol: 'saml' }), []);
      await api.updateProtocolMapper({ ...owner, mapperId: one.id! }, { ...one, name: 'one renamed', config: { 'claim.name': 'c1', 'claim.value': 'w' } });
      const updated = (await api.listProtocolMappers(owner)).find((m) => m.id === one.id)!;
      assert.deepEqual([updated.name, updated.config], ['one renamed', { 'claim.name': 'c1', 'claim.value': 'w' }]);
      await api.delProtocolMapper({ ...owner, mapperId: one.id! });
      assert.equal((await api.listProtocolMappers(owner)).some((m) => m.id === one.id), false);
    }
    // A created mapper answers 201 with its Location.
    const created = await adminRequest(server.url, token, 'POST', `/${REALM}/client-scopes/${scopeId}/protocol-mappers/models`, claim('located'));
    assert.equal(created.status, 201);
    const location = created.headers.get('location')!;
    assert.match(location, new RegExp(`/admin/realms/${REALM}/client-scopes/${scopeId}/protocol-mappers/models/[0-9a-f-]{36}$`));
    assert.equal((await adminRequest(server.url, token, 'GET', location.slice(location.indexOf('/admin/realms') + '/admin/realms'.length))).body.name, 'located');
  });

  it('answers bad input with Keycloak status and body, refuses mappers that would do nothing, and writes nothing', async () => {
    const models = `/${REALM}/client-scopes/${scopeId}/protocol-mappers`;
    const before = (await kc.clientScopes.listProtocolMappers({ id: scopeId })).length;
    const expect = async (method: string, path: string, body: unknown, status: number, expected: Record<string, unknown>) => {
      const response = await adminRequest(server.url, token, method, path, body);
      delete response.body.params;
      assert.deepEqual({ status: response.status, body: response.body }, { status, body: expected }, `${method} ${path}`);
    };
    await expect('POST', `${models}/models`, claim('two'), 409, { errorMessage: 'Protocol mapper exists with same name' });
    await expect('POST', `${models}/add-models`, [claim('n1'), claim('n1')], 409, { errorMessage: 'Protocol mapper name must be unique per protocol' });
    await expect('POST', `${models}/add-models`, [claim('n2'), { ...claim('n3'), protocolMapper: 'script-foo.js' }], 400, {
      field: '[1].protocolMapper',
      errorMessage: "Protocol mapper type 'script-foo.js' is not supported",
    });
    await expect('POST', `${models}/models`, { ...claim('pairwise'), protocolMapper: 'oidc-sha256-pairwise-sub-mapper' }, 400, {
      field: 'protocolMapper',
      errorMessage: "Protocol mapper type 'oidc-sha256-pairwise-sub-mapper' is not supported",
    });
    await expect('POST', `${models}/models`, { name: 'r', protocol: 'saml', protocolMapper: 'saml-role-list-mapper', config: {} }, 400, {
      field: 'protocol',
      errorMessage: "Protocol mapper 'r' is for protocol 'saml', its owner uses 'openid-connect'",
    });
    await expect('POST', `${models}/models`, { protocolMapper: 'oidc-hardcoded-claim-mapper' }, 400, { field: 'name', errorMessage: 'Protocol mapper name is required (at most 255 characters)' });
    await expect('POST', `${models}/models`, { ...claim('typed'), config: { 'claim.name': 7 } }, 400, { field: 'config.claim.name', errorMessage: 'config.claim.name: expected a string' });
    await expect('GET', `${models}/models/nope`, undefined, 404, { error: 'Model not found' });
    await expect('DELETE', `${models}/models/nope`, undefined, 404, { error: 'Model not found' });
    await expect('GET', `/${REALM}/client-scopes/nope/protocol-mappers/models`, undefined, 404, { error: 'Could not find client scope' });
    await expect('GET', `/${REALM}/clients/nope/protocol-mappers/models`, undefined, 404, { error: 'Could not find client' });
    const two = (await kc.clientScopes.listProtocolMappers({ id: scopeId })).find((m) => m.name === 'two')!;
    await expect('PUT', `${models}/models/${two.id}`, { ...two, id: 'other' }, 400, { field: 'id', errorMessage: 'id: does not match the mapper of the path' });
    await expect('PUT', `${models}/models/${two.id}`, { ...two, name: 'three' }, 409, { errorMessage: 'Protocol mapper exists with same name' });
    await expect('PUT', `${models}/models/${two.id}`, { ...two, protocolMapper: 'oidc-audience-mapper' }, 400, {
      field: 'protocolMapper',
      errorMessage: 'protocolMapper: the type of a mapper cannot change; create a new mapper',
    });
    // Keycloak ignores mappers in an owner update; holdfast refuses a change and accepts them sent back.
    const mappers = await kc.clientScopes.listProtocolMappers({ id: scopeId });
    await expect('PUT', `/${REALM}/client-scopes/${scopeId}`, { protocolMappers: [...mappers, claim('sneaky')] }, 400, {
      field: 'protocolMappers',
      errorMessage: 'protocolMappers: an update does not change protocol mappers; use the protocol-mappers/models endpoints',
    });
    await kc.clientScopes.update({ id: scopeId }, { ...(await kc.clientScopes.findOne({ id: scopeId })), description: 'same mappers' });
    const client = (await kc.clients.findOne({ id: clientId }))!;
    await expect('PUT', `/${REALM}/clients/${clientId}`, { ...client, protocolMappers: [] }, 400, {
      field: 'protocolMappers',
      errorMessage: 'protocolMappers: an update does not change protocol mappers; use the protocol-mappers/models endpoints',
    });
    await kc.clients.update({ id: clientId }, { ...client, description: 'same mappers' });
    assert.equal((await kc.clientScopes.listProtocolMappers({ id: scopeId })).length, before);
    assert.equal(supportedMapperType('oidc-group-membership-mapper'), true);
    assert.equal(supportedMapperType('script-foo.js'), false);
  });

  it('lets no one put into tokens, through a mapper, a role they could not grant', async () => {
    await userWithManagementRoles(server.url, REALM, 'clientmgr', ['manage-clients', 'view-clients']);
    const manager = await adminClient(server.url, { realm: REALM, username: 'clientmgr', password: 'clientmgr-pw' });
    manager.setConfig({ realmName: REALM });
    await kc.roles.create({ name: 'plain' });
    const hardcoded = (role: string) => ({ name: `hc ${role}`, protocol: OIDC, protocolMapper: 'oidc-hardcoded-role-mapper', config: { role } });
    const renamed = (to: string) => ({ name: `rn ${to}`, protocol: OIDC, protocolMapper: 'oidc-role-name-mapper', config: { role: 'plain', 'new.role.name': to } });
    for (const mapper of [hardcoded('realm-management.manage-users'), hardcoded('realm-management.realm-admin'), renamed('realm-management.manage-users')]) {
      assert.equal((await failure(manager.clientScopes.addProtocolMapper({ id: scopeId }, mapper))).status, 403, mapper.name);
      assert.equal((await failure(manager.clients.addMultipleProtocolMappers({ id: clientId }, [mapper]))).status, 403, mapper.name);
      assert.equal((await failure(manager.clients.create({ clientId: `x${mapper.name.length}`, protocolMappers: [mapper] }))).status, 403, mapper.name);
      assert.equal((await failure(manager.clientScopes.create({ name: 'sneaky', protocol: OIDC, protocolMappers: [mapper] }))).status, 403, mapper.name);
    }
    await manager.clientScopes.addProtocolMapper({ id: scopeId }, hardcoded('plain'));
    await manager.clientScopes.addProtocolMapper({ id: scopeId }, renamed('other'));
    // The realm admin may, and then only they may change or remove it.
    await kc.clientScopes.addProtocolMapper({ id: scopeId }, hardcoded('realm-management.view-users'));
    const strong = (await kc.clientScopes.listProtocolMappers({ id: scopeId })).find((m) => m.name === 'hc realm-management.view-users')!;
    assert.equal((await failure(manager.clientScopes.delProtocolMapper({ id: scopeId, mapperId: strong.id! }))).status, 403);
    assert.equal((await failure(manager.clientScopes.updateProtocolMapper({ id: scopeId, mapperId: strong.id! }, { ...strong, name: 'x' }))).status, 403);
    // Linking that scope to a client, or naming it in a client's lists, puts the role into that client's tokens too.
    const other = await kc.clients.create({ clientId: 'other', defaultClientScopes: [] });
    assert.equal((await failure(manager.clients.addDefaultClientScope({ id: other.id, clientScopeId: scopeId }))).status, 403);
    assert.equal((await failure(manager.clients.create({ clientId: 'linked', defaultClientScopes: ['extras'] }))).status, 403);
    assert.equal((await failure(manager.clients.update({ id: other.id }, { optionalClientScopes: ['extras'] }))).status, 403);
    await kc.clients.addDefaultClientScope({ id: other.id, clientScopeId: scopeId });
    await kc.clients.del({ id: other.id });
    const plain = (await kc.clientScopes.listProtocolMappers({ id: scopeId })).find((m) => m.name === 'hc plain')!;
    assert.equal((await failure(manager.clientScopes.updateProtocolMapper({ id: scopeId, mapperId: plain.id! }, { ...plain, config: { role: 'realm-management.manage-realm' } }))).status, 403);
    await kc.clientScopes.delProtocolMapper({ id: scopeId, mapperId: strong.id! });
  });

  it('exports and imports client and scope mappers identically, and refuses an unsupported one in a file', async () => {
    const repository = server.holdfast.ctx.realms.repository;
    const first = await exportRealm(repository, REALM, { includeUsers: true });
    const app = (first.clients as Array<{ clientId: string; protocolMappers?: Array<{ name: string }> }>).find((c) => c.clientId === 'app')!;
    assert.ok(app.protocolMappers!.some((m) => m.name === 'at-create'));
    await importRealm(repository, structuredClone(first), { nowMs: Date.now(), ifExists: 'replace' });
    const second = await exportRealm(repository, REALM, { includeUsers: true });
    const mappersOf = (file: Record<string, unknown>) => ({
      clients: (file.clients as Array<{ clientId: string; protocolMappers?: unknown }>).map((c) => [c.clientId, c.protocolMappers]),
      clientScopes: file.clientScopes,
    });
    assert.deepEqual(mappersOf(second), mappersOf(first));
    const broken = structuredClone(first) as { clients: Array<{ protocolMappers?: unknown[] }> };
    broken.clients[0].protocolMappers = [{ name: 'js', protocol: OIDC, protocolMapper: 'oidc-script-based-protocol-mapper', config: {} }];
    // Refused before anything is planned, with the other parts holdfast cannot honour (lossy-parts).
    await assert.rejects(importRealm(repository, broken, { nowMs: Date.now(), ifExists: 'replace' }), (error: Error & { parts?: { refused: Array<{ path: string }> } }) =>
      /cannot be honoured/.test(error.message) && error.parts!.refused.some((f) => f.path === 'clients[0].protocolMappers[0]'),
    );
    await server.holdfast.ctx.realms.realmChanged((await repository.findRealmByName(REALM))!.id);
  });
});
