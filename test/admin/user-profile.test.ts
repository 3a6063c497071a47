/**
 * The declarative user profile (issue #12.5) through @keycloak/keycloak-admin-client 26 against a
 * real listening holdfast: Keycloak 26's default config (master's differs), the metadata, a
 * custom profile whose validators answer Keycloak's error bodies (one error, or `errors` for
 * several) on admin writes, bad configs refused with nothing stored, attribute permissions, the
 * four unmanaged-attribute policies (holdfast refuses what Keycloak silently drops), least
 * privilege, and the profile travelling through realm import and export as Keycloak's component.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type KcAdminClient from '@keycloak/keycloak-admin-client';
import { UnmanagedAttributePolicy, type UserProfileConfig } from '@keycloak/keycloak-admin-client/lib/defs/userProfileMetadata.js';
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { undoMigrationsFrom } from '../support/undo-migrations.ts';
import { exportRealm } from '../../src/admin/realm-file/export-realm.ts';
import { importRealm } from '../../src/admin/realm-file/import-realm.ts';
import { tempDir } from '../support/process.ts';
import { adminClient, adminRequest, failure, masterToken, startAdminServer, userWithManagementRoles, type AdminServer } from './admin-support.ts';

const REALM = 'profiled';
const EVERYONE = { view: ['admin', 'user'], edit: ['admin', 'user'] };
const ADMIN_ONLY = { view: ['admin'], edit: ['admin'] };

/** What Keycloak 26.7 answers for `GET /admin/realms/{new realm}/users/profile`. */
const KEYCLOAK_DEFAULT = {
  attributes: [
    {
      name: 'username',
      displayName: '${username}',
      validations: { length: { min: 3, max: 255 }, 'username-prohibited-characters': {}, 'up-username-not-idn-homograph': {} },
      permissions: EVERYONE,
      multivalued: false,
    },
    { name: 'email', displayName: '${email}', validations: { email: {}, length: { max: 255 } }, required: { roles: ['user'] }, permissions: EVERYONE, multivalued: false },
    ...['firstName', 'lastName'].map((name) => ({
      name,
      displayName: `\${${name}}`,
      validations: { length: { max: 255 }, 'person-name-prohibited-characters': {} },
      required: { roles: ['user'] },
      permissions: EVERYONE,
      multivalued: false,
    })),
  ],
  groups: [{ name: 'user-metadata', displayHeader: 'User metadata', displayDescription: 'Attributes, which refer to user metadata' }],
};

describe('admin API: user profile', () => {
  let server: AdminServer;
  let kc: KcAdminClient;
  let token: string;
  const request = (method: string, path: string, body?: unknown) => adminRequest(server.url, token, method, `/${REALM}${path}`, body);
  const setProfile = (config: object) => kc.users.updateProfile(config as UserProfileConfig);
  const withPolicy = (policy?: UnmanagedAttributePolicy) => setProfile({ ...KEYCLOAK_DEFAULT, ...(policy ? { unmanagedAttributePolicy: policy } : {}) });

  before(async () => {
    server = await startAdminServer();
    const master = await adminClient(server.url);
    await master.realms.create({ realm: REALM, enabled: true });
    kc = await adminClient(server.url, {}, REALM);
    token = await masterToken(server.url);
  });
  after(() => server.close());

  it("answers Keycloak 26's default profile, without required names in master, and its metadata", async () => {
    assert.deepEqual(await kc.users.getProfile(), KEYCLOAK_DEFAULT);
    const master = await adminRequest(server.url, token, 'GET', '/master/users/profile');
    assert.deepEqual(
      master.body.attributes.map((a: { required?: unknown }) => a.required),
      [undefined, undefined, undefined, undefined],
    );
    const metadata = await kc.users.getProfileMetadata();
    assert.deepEqual(metadata.groups, KEYCLOAK_DEFAULT.groups);
    const [username, email] = metadata.attributes!;
    assert.deepEqual(username, {
      name: 'username',
      displayName: '${username}',
      required: true,
      readOnly: false,
      validators: {
        length: { min: 3, max: 255, 'ignore.empty.value': true },
        'username-prohibited-characters': { 'ignore.empty.value': true },
        'up-username-not-idn-homograph': { 'ignore.empty.value': true },
        multivalued: { max: '1' },
      },
      multivalued: false,
    });
    assert.deepEqual([email.name, email.required, email.readOnly], ['email', false, false]);
  });

  it("checks admin writes against the default profile with Keycloak's messages", async () => {
    const one = await failure(kc.users.create({ username: 'bob', firstName: '<b>' }));
    assert.deepEqual([one.status, one.body], [400, { field: 'firstName', errorMessage: 'error-person-name-invalid-character', params: ['firstName'] }]);
    const several = await failure(kc.users.create({ username: 'a', email: 'bad', firstName: '<x>' }));
    assert.deepEqual(several.body, {
      errors: [
        { field: 'username', errorMessage: 'error-invalid-length', params: ['username', 3, 255] },
        { field: 'email', errorMessage: 'error-invalid-email', params: ['email', 'bad'] },
        { field: 'firstName', errorMessage: 'error-person-name-invalid-character', params: ['firstName'] },
      ],
    });
    for (const username of ['ab<c', 'a b', 'аdmin', 'x\u0301y']) {
      const refused = await failure(kc.users.create({ username }));
      assert.deepEqual(refused.body, { field: 'username', errorMessage: 'error-username-invalid-character', params: ['username'] }, username);
    }
    for (const username of ['bobby.tables', 'a+b@example.com', 'müller', 'o_o-1']) assert.ok((await kc.users.create({ username })).id, username);
    const names = await kc.users.create({ username: 'jean', firstName: "Jean-Luc O'Brien", lastName: '日本' });
    assert.ok(names.id);
    assert.deepEqual((await failure(kc.users.create({ email: 'x@example.com' }))).body, { errorMessage: 'User name is missing' });
    assert.equal(await kc.users.count(), 5);
  });

  it('applies a custom profile: validators, required, multivalued, groups and annotations', async () => {
    await setProfile({
      ...KEYCLOAK_DEFAULT,
      groups: [...KEYCLOAK_DEFAULT.groups, { name: 'work', displayHeader: 'Work' }],
      attributes: [
        ...KEYCLOAK_DEFAULT.attributes,
        { name: 'employeeId', validations: { pattern: { pattern: '^E[0-9]+$', 'error-message': 'bad-employee-id' } }, required: { roles: ['admin'] }, permissions: ADMIN_ONLY, group: 'work' },
        { name: 'code', validations: { length: { min: 3 } }, permissions: ADMIN_ONLY },
        { name: 'short', validations: { length: { max: 3 } }, permissions: ADMIN_ONLY },
        { name: 'colour', validations: { options: { options: ['red', 'blue'] } }, multivalued: true, permissions: ADMIN_ONLY },
        { name: 'level', validations: { integer: { min: 1, max: 10 } }, permissions: ADMIN_ONLY },
        { name: 'ratio', validations: { double: { min: 1.5, max: 10 } }, permissions: ADMIN_ONLY },
        { name: 'homepage', validations: { uri: {} }, permissions: ADMIN_ONLY },
        { name: 'backupEmail', validations: { email: {} }, annotations: { inputType: 'html5-email' }, displayName: 'Backup e-mail', permissions: ADMIN_ONLY },
        { name: 'badge', permissions: { view: ['admin', 'user'], edit: ['user'] } },
      ],
    });
    const refused = await failure(
      kc.users.create({
        username: 'carol',
        attributes: { code: ['ab'], short: ['abcd'], colour: ['red', 'green'], level: ['11'], ratio: ['x'], homepage: ['not a uri'], backupEmail: ['nope'], employeeId: ['X1', 'E2'] },
      }),
    );
    const byField = Object.fromEntries((refused.body.errors as Array<{ field: string; errorMessage: string; params: unknown[] }>).map((e) => [e.field, [e.errorMessage, e.params]]));
    assert.deepEqual(byField, {
      employeeId: ['error-invalid-multivalued-size', ['employeeId', 0, 1]],
      code: ['error-invalid-length-too-short', ['code', 3, null]],
      short: ['error-invalid-length-too-long', ['short', null, 3]],
      colour: ['error-invalid-value', ['colour']],
      level: ['error-number-out-of-range', ['level', 1, 10]],
      ratio: ['error-invalid-number', ['ratio']],
      homepage: ['error-invalid-uri', ['homepage', 'not a uri', 'illegal character']],
      backupEmail: ['error-invalid-email', ['backupEmail', 'nope']],
    });
    // One value per single-valued attribute, so the pattern's own message shows.
    const pattern = await failure(kc.users.create({ username: 'carol', attributes: { employeeId: ['X1'] } }));
    assert.deepEqual(pattern.body, { field: 'employeeId', errorMessage: 'bad-employee-id', params: ['employeeId', '^E[0-9]+$'] });
    const required = await failure(kc.users.create({ username: 'carol', attributes: { employeeId: [''] } }));
    assert.deepEqual(required.body, { field: 'employeeId', errorMessage: 'error-user-attribute-required', params: ['employeeId'] });
    // Only admins may not edit `badge`: Keycloak would drop it silently, holdfast refuses it.
    const badge = await failure(kc.users.create({ username: 'carol', attributes: { employeeId: ['E1'], badge: ['gold'] } }));
    assert.deepEqual(badge.body, { field: 'badge', errorMessage: 'error-user-attribute-read-only', params: ['badge'] });

    const { id } = await kc.users.create({ username: 'carol', attributes: { employeeId: ['E1'], colour: ['red', 'blue'], level: ['7'], homepage: ['https://carol.example/'] } });
    const carol = (await kc.users.findOne({ id }))!;
    assert.deepEqual(carol.attributes, { employeeId: ['E1'], colour: ['red', 'blue'], level: ['7'], homepage: ['https://carol.example/'] });

    const metadata = await kc.users.getProfileMetadata();
    const employee = metadata.attributes!.find((a) => a.name === 'employeeId')!;
    assert.deepEqual([employee.required, employee.readOnly, employee.group], [true, false, 'work']);
    const backup = metadata.attributes!.find((a) => a.name === 'backupEmail')!;
    assert.deepEqual([backup.displayName, backup.annotations], ['Backup e-mail', { inputType: 'html5-email' }]);
    assert.equal(metadata.attributes!.find((a) => a.name === 'badge')!.readOnly, true);
    assert.deepEqual(metadata.groups!.map((g) => g.name), ['user-metadata', 'work']);

    // The user's own metadata: the username is read-only once the user exists (editUsernameAllowed is off).
    const withMetadata = (await kc.users.findOne({ id, userProfileMetadata: true }))!;
    assert.equal(withMetadata.userProfileMetadata!.attributes!.find((a) => a.name === 'username')!.readOnly, true);
    const plain = await request('GET', `/users/${id}`);
    assert.equal(plain.body.userProfileMetadata, undefined);
    assert.equal((await request('GET', `/users/${id}?foo=1`)).status, 400);
    await withPolicy();
  });

  it("refuses bad configs with Keycloak's messages and keeps the stored one", async () => {
    const before = await kc.users.getProfile();
    const cases: Array<[unknown, number, unknown]> = [
      [{ attributes: [{ name: 'username' }] }, 400, { errorMessage: "[The attribute 'email' can not be removed]" }],
      [{ attributes: [{ name: 'username' }, { name: 'email' }, { name: 'x y' }] }, 400, { errorMessage: "[Invalid attribute name (only letters, numbers and '.' '_' '-' special characters allowed): x y']" }],
      [{ attributes: [{ name: 'username' }, { name: 'email' }, { name: 'x', validations: { nope: {} } }] }, 400, { errorMessage: "[Validator 'nope' defined for attribute 'x' doesn't exist]" }],
      [{ attributes: [{ name: 'username' }, { name: 'email' }, { name: 'x', group: 'nogroup' }] }, 400, { errorMessage: "[Attribute 'x' references unknown group 'nogroup']" }],
      [{ attributes: [{ name: 'username' }, { name: 'email' }, { name: 'x' }, { name: 'x' }] }, 400, { errorMessage: "[Attribute configuration already exists with 'name':'x']" }],
      [{ attributes: [{ name: 'username' }, { name: 'email' }], foo: 1 }, 400, { error: 'Invalid json representation for UPConfig. Unrecognized field "foo"' }],
      [{ attributes: [{ name: 'username' }, { name: 'email' }], unmanagedAttributePolicy: 'FOO' }, 400, { error: 'Invalid json representation for UPConfig. unmanagedAttributePolicy: expected one of ENABLED, ADMIN_VIEW, ADMIN_EDIT' }],
      [{ attributes: [{ name: 'username' }, { name: 'email' }, { name: 'p', validations: { pattern: { pattern: '(' } } }] }, 400, { errorMessage: "[Validator 'pattern' defined for attribute 'p' has incorrect configuration: 'pattern' must be a regular expression]" }],
      [{ attributes: [{ name: 'username' }, { name: 'email' }, { name: 'l', validations: { length: { min: 'abc' } } }] }, 400, { errorMessage: "[Validator 'length' defined for attribute 'l' has incorrect configuration: 'min' must be an integer (error-validator-config-invalid-number-value)]" }],
      ['{"attributes": [', 400, { error: 'invalid_request', error_description: 'Cannot parse the JSON', errorMessage: 'Cannot parse the JSON' }],
    ];
    for (const [body, status, answer] of cases) {
      const response = await request('PUT', '/users/profile', body);
      assert.deepEqual([response.status, response.body], [status, answer], JSON.stringify(body));
    }
    const two = await request('PUT', '/users/profile', { attributes: [{ name: 'x y' }] });
    assert.match(two.body.errorMessage, /^\[Invalid attribute name .*, The attribute 'username' can not be removed, The attribute 'email' can not be removed\]$/);
    assert.deepEqual(await kc.users.getProfile(), before);

    // A config is stored with Keycloak's defaults filled in, and answered so.
    const minimal = await request('PUT', '/users/profile', { attributes: [{ name: 'username' }, { name: 'email', permissions: { edit: ['admin'] } }] });
    const stored = { attributes: [{ name: 'username', multivalued: false }, { name: 'email', permissions: { view: [], edit: ['admin'] }, multivalued: false }], groups: [] };
    assert.deepEqual([minimal.status, minimal.body], [200, stored]);
    assert.deepEqual(await kc.users.getProfile(), stored);
    // Metadata names root attributes by their message key; `username` (no permissions) is no admin's to see.
    assert.deepEqual((await kc.users.getProfileMetadata()).attributes!.map((a) => [a.name, a.displayName]), [['email', '${email}']]);
    await setProfile(before);
  });

  it('hides, refuses or accepts unmanaged attributes by policy', async () => {
    await withPolicy();
    const absent = await failure(kc.users.create({ username: 'dave', attributes: { dept: ['x'] } }));
    assert.equal(absent.status, 400);
    assert.equal(absent.body.field, 'dept');
    assert.match(absent.body.errorMessage, /not in the realm's user profile/);

    await withPolicy(UnmanagedAttributePolicy.AdminEdit);
    const { id } = await kc.users.create({ username: 'dave', attributes: { dept: ['x'] } });
    assert.deepEqual((await kc.users.findOne({ id }))!.attributes, { dept: ['x'] });

    await withPolicy(UnmanagedAttributePolicy.AdminView);
    const dave = (await kc.users.findOne({ id }))!;
    assert.deepEqual(dave.attributes, { dept: ['x'] });
    // Sent back unchanged (the console round-trips what it shows) or left out: kept.
    await kc.users.update({ id }, { ...dave, firstName: 'Dave' });
    await kc.users.update({ id }, { attributes: {} });
    assert.deepEqual((await kc.users.findOne({ id }))!.attributes, { dept: ['x'] });
    const changed = await failure(kc.users.update({ id }, { attributes: { dept: ['y'] } }));
    assert.deepEqual([changed.status, changed.body.field], [400, 'dept']);

    // Without a policy Keycloak hides them (and keeps them stored, as here).
    await withPolicy();
    assert.equal((await kc.users.findOne({ id }))!.attributes, undefined);
    assert.equal((await kc.users.find({ username: 'dave', exact: true }))[0].attributes, undefined);
    await kc.users.update({ id }, { firstName: 'David', attributes: {} });

    await withPolicy(UnmanagedAttributePolicy.Enabled);
    assert.deepEqual((await kc.users.findOne({ id }))!.attributes, { dept: ['x'] });
    await kc.users.update({ id }, { attributes: { dept: ['y'], floor: ['3'] } });
    assert.deepEqual((await kc.users.findOne({ id }))!.attributes, { dept: ['y'], floor: ['3'] });
    // Root attributes in `attributes` count as the top-level field when that is absent, as in Keycloak.
    await kc.users.update({ id }, { attributes: { lastName: ['Dee'], dept: ['y'] } });
    const after = (await kc.users.findOne({ id }))!;
    assert.deepEqual([after.firstName, after.lastName, after.attributes], ['David', 'Dee', { dept: ['y'] }]);
  });

  it('needs manage-realm to change the profile and query-users for its metadata', async () => {
    await userWithManagementRoles(server.url, REALM, 'viewer', ['view-users', 'view-realm']);
    const viewer = await adminClient(server.url, { realm: REALM, username: 'viewer', password: 'viewer-pw' }, REALM);
    const current = await viewer.users.getProfile();
    assert.ok(current.attributes);
    assert.ok((await viewer.users.getProfileMetadata()).attributes);
    const refused = await failure(viewer.users.updateProfile({ ...current, unmanagedAttributePolicy: UnmanagedAttributePolicy.Enabled }));
    assert.deepEqual([refused.status, refused.body], [403, { error: 'HTTP 403 Forbidden' }]);
    assert.deepEqual(await kc.users.getProfile(), current);
  });

  it("imports and exports the profile as Keycloak's declarative-user-profile component", async () => {
    const repository = server.holdfast.ctx.realms.repository;
    const config = { ...KEYCLOAK_DEFAULT, attributes: [...KEYCLOAK_DEFAULT.attributes, { name: 'phone', permissions: ADMIN_ONLY, multivalued: false }], unmanagedAttributePolicy: 'ADMIN_VIEW' };
    const component = { id: 'up-component', providerId: 'declarative-user-profile', subComponents: {}, config: { 'kc.user.profile.config': [JSON.stringify(config)] } };
    const file = { realm: 'imported', enabled: true, components: { 'org.keycloak.userprofile.UserProfileProvider': [component], 'org.keycloak.keys.KeyProvider': [] } };
    await importRealm(repository, file, { nowMs: Date.now() });
    assert.deepEqual((await adminRequest(server.url, token, 'GET', '/imported/users/profile')).body, config);
    const exported = await exportRealm(repository, 'imported', { includeUsers: false });
    assert.deepEqual((exported.components as Record<string, unknown>)['org.keycloak.userprofile.UserProfileProvider'], [component]);
    // A realm whose profile was never set exports none, as Keycloak's do.
    assert.equal(((await exportRealm(repository, 'master', { includeUsers: false })).components as Record<string, unknown>)['org.keycloak.userprofile.UserProfileProvider'], undefined);

    const broken = { ...file, realm: 'broken', components: { 'org.keycloak.userprofile.UserProfileProvider': [{ ...component, config: { 'kc.user.profile.config': ['{"attributes":[{"name":"username"}]}'] } }] } };
    await assert.rejects(importRealm(repository, broken, { nowMs: Date.now() }), {
      message: "components.org.keycloak.userprofile.UserProfileProvider[0].config.kc.user.profile.config[0]: [The attribute 'email' can not be removed]",
    });
    assert.equal(await repository.findRealmByName('broken'), undefined);

    // A file from before Keycloak 24 (no profile, free attributes): they stay visible, and the import says why.
    const legacy = await importRealm(repository, { realm: 'legacy', enabled: true, users: [{ username: 'old', enabled: true, attributes: { dept: ['x'] } }] }, { nowMs: Date.now() });
    assert.match(legacy.ignored.map((f) => f.reason).join('\n'), /unmanagedAttributePolicy ENABLED/);
    const legacyUsers = await adminRequest(server.url, token, 'GET', '/legacy/users?username=old&exact=true');
    assert.deepEqual(legacyUsers.body[0].attributes, { dept: ['x'] });
  });
});

describe('user profile on upgrade', () => {
  it('keeps attributes visible and searchable in realms of a database from before the user profile', async () => {
    const dataDir = tempDir('holdfast-profile-upgrade-');
    try {
      let server = await startAdminServer({ dataDir });
      const master = await adminClient(server.url);
      for (const realm of ['with-attributes', 'without']) await master.realms.create({ realm, enabled: true });
      const kc = await adminClient(server.url, {}, 'with-attributes');
      await kc.users.updateProfile({ ...(await kc.users.getProfile()), unmanagedAttributePolicy: UnmanagedAttributePolicy.Enabled });
      const { id } = await kc.users.create({ username: 'old', attributes: { dept: ['Sales'] } });
      await server.close();
      // Back to the release before: no user profile, no attribute index, migration 008 not run.
      const file = fs.readdirSync(dataDir).find((f) => f.endsWith('.db') || f.endsWith('.sqlite'))!;
      const db = new Database(`${dataDir}/${file}`);
      undoMigrationsFrom(db, '008-user-profile');
      db.close();

      server = await startAdminServer({ dataDir });
      const after = await adminClient(server.url, {}, 'with-attributes');
      assert.equal((await after.users.getProfile()).unmanagedAttributePolicy, UnmanagedAttributePolicy.Enabled);
      assert.deepEqual((await after.users.findOne({ id }))!.attributes, { dept: ['Sales'] });
      assert.deepEqual((await after.users.find({ q: 'dept:sales' })).map((u) => u.id), [id]);
      after.setConfig({ realmName: 'without' });
      assert.deepEqual(await after.users.getProfile(), KEYCLOAK_DEFAULT);
      await server.close();
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
