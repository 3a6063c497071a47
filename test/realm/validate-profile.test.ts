/**
 * `validateProfile` for the flows that will call it with role `user` (registration, the
 * update-profile step, the account API): what Keycloak's default profile requires of a user,
 * attributes only admins may edit, attributes selected by a requested scope, and the unmanaged
 * policies as they apply to users rather than admins.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultUserProfile, profileMetadata, validateProfile, type ProfileContext, type UPConfig } from '../../src/realm/index.ts';

const registration: ProfileContext = { role: 'user', editUsernameAllowed: false };
const fields = (errors: Array<{ field: string; errorMessage: string }>) => errors.map((e) => [e.field, e.errorMessage]);

describe('user profile for users', () => {
  it("requires what Keycloak's default profile requires of a registering user", () => {
    const config = defaultUserProfile('shop');
    assert.deepEqual(fields(validateProfile(config, { username: ['newbie'] }, registration)), [
      ['email', 'error-user-attribute-required'],
      ['firstName', 'error-user-attribute-required'],
      ['lastName', 'error-user-attribute-required'],
    ]);
    assert.deepEqual(validateProfile(config, { username: ['newbie'], email: ['n@example.com'], firstName: ['New'], lastName: ['Bie'] }, registration), []);
    // In master the bootstrap admin needs none of them.
    assert.deepEqual(validateProfile(defaultUserProfile('master'), { username: ['newbie'] }, registration), []);
    // Once the user exists, their username is theirs to change only with editUsernameAllowed.
    const current = { username: ['newbie'], email: ['n@example.com'], firstName: ['New'], lastName: ['Bie'] };
    const renamed = { ...current, username: ['other'] };
    assert.deepEqual(fields(validateProfile(config, renamed, { ...registration, current })), [['username', 'error-user-attribute-read-only']]);
    assert.deepEqual(validateProfile(config, renamed, { ...registration, current, editUsernameAllowed: true }), []);
  });

  it('keeps admin-only attributes from users, and asks scope-selected ones only with their scope', () => {
    const base = defaultUserProfile('master');
    const config: UPConfig = {
      ...base,
      attributes: [
        ...base.attributes,
        { name: 'employeeId', permissions: { view: ['admin', 'user'], edit: ['admin'] } },
        { name: 'phone', selector: { scopes: ['phone'] }, required: { scopes: ['phone'] }, permissions: { view: ['user'], edit: ['user'] } },
      ],
    };
    const current = { username: ['u1x'], employeeId: ['E1'] };
    assert.deepEqual(fields(validateProfile(config, { ...current, employeeId: ['E2'] }, { ...registration, current })), [['employeeId', 'error-user-attribute-read-only']]);
    assert.deepEqual(validateProfile(config, current, { ...registration, current }), []);
    assert.deepEqual(fields(validateProfile(config, current, { ...registration, current, scopes: ['openid', 'phone'] })), [['phone', 'error-user-attribute-required']]);
    assert.deepEqual(
      profileMetadata(config, { ...registration, scopes: ['phone'] }).attributes.map((a) => [a.name, a.required, a.readOnly]),
      [['username', true, false], ['email', false, false], ['firstName', false, false], ['lastName', false, false], ['employeeId', false, true], ['phone', true, false]],
    );
    assert.deepEqual(profileMetadata(config, registration).attributes.map((a) => a.name), ['username', 'email', 'firstName', 'lastName', 'employeeId']);
  });

  it('lets users change unmanaged attributes only under ENABLED', () => {
    const user = { username: ['someone'], hobby: ['chess'] };
    for (const [policy, allowed] of [[undefined, false], ['ADMIN_VIEW', false], ['ADMIN_EDIT', false], ['ENABLED', true]] as const) {
      const config: UPConfig = { ...defaultUserProfile('master'), ...(policy ? { unmanagedAttributePolicy: policy } : {}) };
      const errors = validateProfile(config, user, registration);
      assert.deepEqual(errors.map((e) => e.field), allowed ? [] : ['hobby'], String(policy));
    }
  });
});
