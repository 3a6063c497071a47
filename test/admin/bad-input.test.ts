/**
 * Bad input to the admin API gets Keycloak's status and an error body that names what is wrong,
 * and leaves nothing partially written: malformed JSON, known fields of the wrong type (nested
 * ones named by their JSON path), duplicate usernames, unknown realms, users and clients, a
 * realm representation broken deep inside, and bad query parameters.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type KcAdminClient from '@keycloak/keycloak-admin-client';
import { adminClient, adminRequest, failure, masterToken, startAdminServer, type AdminServer } from './admin-support.ts';

describe('admin API: bad input', () => {
  let server: AdminServer;
  let kc: KcAdminClient;
  let token: string;
  const request = (method: string, path: string, body?: unknown) => adminRequest(server.url, token, method, path, body);
  const userCount = async () => (await request('GET', '/acme/users/count')).body as number;

  before(async () => {
    server = await startAdminServer();
    const master = await adminClient(server.url);
    await master.realms.create({ realm: 'acme', enabled: true });
    kc = await adminClient(server.url, {}, 'acme');
    await kc.users.create({ username: 'taken', email: 'taken@acme.example', enabled: true });
    token = await masterToken(server.url);
  });
  after(() => server.close());

  it("answers malformed JSON with Keycloak's 400 and writes nothing", async () => {
    const before = await userCount();
    const response = await request('POST', '/acme/users', '{"username": "half", ');
    assert.equal(response.status, 400);
    assert.equal(response.body.error, 'invalid_request');
    assert.equal(response.body.error_description, 'Cannot parse the JSON');
    assert.equal(response.body.errorMessage, 'Cannot parse the JSON');
    assert.equal(await userCount(), before);
  });

  it('names the field of the wrong type, nested ones by JSON path, and writes nothing', async () => {
    const before = await userCount();
    const cases: Array<[string, string, unknown, string]> = [
      ['POST', '/acme/users', { username: 'typo', enabled: 'yes' }, 'enabled: expected a boolean'],
      ['POST', '/acme/users', { username: 'typo', credentials: [{ type: 'password', value: 'x', temporary: 'no' }] }, 'credentials[0].temporary: expected a boolean'],
      ['POST', '/acme/users', { username: 'typo', attributes: { team: [1] } }, 'attributes.team[0]: expected a string'],
      ['POST', '/acme/users', ['not', 'an', 'object'], 'expected an object'],
      ['POST', '/acme/clients', { clientId: 'typo', redirectUris: 'https://one.example/*' }, 'redirectUris: expected an array'],
      ['POST', '/acme/clients', { clientId: 'typo', attributes: { 'access.token.lifespan': 60 } }, 'attributes.access.token.lifespan: expected a string'],
      ['PUT', '/acme', { accessTokenLifespan: '300' }, 'accessTokenLifespan: expected an integer'],
      ['PUT', '/acme', { ssoSessionIdleTimeout: 1.5 }, 'ssoSessionIdleTimeout: expected an integer'],
      ['PUT', '/acme', { sslRequired: 'sometimes' }, 'sslRequired: expected one of external, none, all'],
      ['PUT', '/acme', { bruteForceProtected: 'true' }, 'bruteForceProtected: expected a boolean'],
      ['POST', '/acme/roles', { name: 'typo', attributes: 'x' }, 'attributes: expected an object'],
    ];
    for (const [method, path, body, message] of cases) {
      const response = await request(method, path, body);
      assert.equal(response.status, 400, `${method} ${path} ${JSON.stringify(body)}`);
      assert.equal(response.body.errorMessage, message);
    }
    assert.equal(await userCount(), before);
    assert.equal((await kc.clients.find({ clientId: 'typo' })).length, 0);
    assert.equal(await kc.roles.findOneByName({ name: 'typo' }), null);
    const realm = (await kc.realms.findOne({ realm: 'acme' }))!;
    assert.deepEqual([realm.accessTokenLifespan, realm.sslRequired, realm.bruteForceProtected], [300, 'external', false]);
  });

  it('answers 409 for a duplicate username and keeps one user', async () => {
    const duplicate = await failure(kc.users.create({ username: 'Taken', enabled: true }));
    assert.deepEqual([duplicate.status, duplicate.body], [409, { errorMessage: 'User exists with same username' }]);
    assert.equal((await kc.users.find({ username: 'taken', exact: true })).length, 1);
  });

  it('answers 404 "Realm not found." for an unknown realm, and 404 for unknown users and clients', async () => {
    for (const [method, path, body] of [
      ['GET', '/nowhere', undefined],
      ['PUT', '/nowhere', { enabled: false }],
      ['DELETE', '/nowhere', undefined],
      ['GET', '/nowhere/users', undefined],
      ['POST', '/nowhere/users', { username: 'ghost' }],
      ['DELETE', '/nowhere/sessions/x', undefined],
    ] as const) {
      const response = await request(method, path, body);
      assert.deepEqual([response.status, response.body], [404, { error: 'Realm not found.' }], `${method} ${path}`);
    }
    assert.deepEqual((await request('GET', '/acme/users/no-such-user')).body, { error: 'User not found' });
    assert.deepEqual((await request('GET', '/acme/clients/no-such-client')).body, { error: 'Could not find client' });
    assert.equal(await kc.users.findOne({ id: 'no-such-user' }), null);
  });

  it('rejects a realm representation broken deep inside, naming the path, and creates nothing', async () => {
    const realm = {
      realm: 'broken',
      enabled: true,
      users: [
        { username: 'fine', enabled: true },
        { username: 'bad', credentials: [{ type: 'password', secretData: '{not json', credentialData: '{"algorithm":"argon2","hashIterations":5}' }] },
      ],
    };
    const response = await request('POST', '', realm);
    assert.equal(response.status, 400);
    assert.equal(response.body.errorMessage, 'users[1].credentials[0].secretData: not valid JSON');
    assert.equal(response.body.field, 'users[1].credentials[0].secretData');
    assert.equal(await kc.realms.findOne({ realm: 'broken' }), null);

    const twice = await request('POST', '', { ...realm, users: [{ username: 'same' }, { username: 'SAME' }] });
    assert.deepEqual([twice.status, twice.body], [409, { errorMessage: "users[1].username: duplicate username 'same'" }]);
    const unknownRole = await request('POST', '', { ...realm, users: [{ username: 'someone', realmRoles: ['wizard'] }] });
    assert.deepEqual([unknownRole.status, unknownRole.body.errorMessage], [400, "users[0].realmRoles[0]: unknown realm role 'wizard'"]);
    const noName = await request('POST', '', { enabled: true });
    assert.deepEqual([noName.status, noName.body.errorMessage], [400, 'realm: required']);
    assert.equal(await kc.realms.findOne({ realm: 'broken' }), null);
  });

  it('rejects bad query parameters', async () => {
    assert.equal((await request('GET', '/acme/users?first=abc')).status, 400);
    assert.equal((await request('GET', '/acme/users?exact=perhaps&username=x')).status, 400);
    assert.equal((await request('DELETE', '/acme/sessions/x?isOffline=maybe')).status, 400);
  });
});
