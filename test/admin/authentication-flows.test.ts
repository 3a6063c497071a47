/**
 * `/authentication/flows` through the real @keycloak/keycloak-admin-client: holdfast's fixed
 * login told as Keycloak's built-in flows (read-only), every write refused with a message that
 * says flows are not editable, the permissions, and the realm's flow bindings.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type KcAdminClient from '@keycloak/keycloak-admin-client';
import { adminClient, adminRequest, failure, masterToken, startAdminServer, tokenFor, userWithManagementRoles, type AdminServer } from './admin-support.ts';

describe('authentication flows admin API', () => {
  let server: AdminServer;
  let kc: KcAdminClient;
  let token: string;
  before(async () => {
    server = await startAdminServer();
    kc = await adminClient(server.url, {}, 'demo');
    token = await masterToken(server.url);
  });
  after(() => server.close());

  it("lists holdfast's flows under Keycloak's aliases, with their executions", async () => {
    const flows = await kc.authenticationManagement.getFlows();
    assert.deepEqual(flows.map((f) => f.alias), ['browser', 'direct grant', 'registration', 'reset credentials', 'first broker login', 'clients']);
    assert.ok(flows.every((f) => f.builtIn === true && f.topLevel === true));
    const browser = flows[0];
    assert.deepEqual(await kc.authenticationManagement.getFlow({ flowId: browser.id! }), browser);
    // The same ids on every read.
    assert.deepEqual((await kc.authenticationManagement.getFlows()).map((f) => f.id), flows.map((f) => f.id));

    const executions = await kc.authenticationManagement.getExecutions({ flow: 'browser' });
    assert.deepEqual(
      executions.map((e) => [e.level, e.displayName, e.requirement, e.authenticationFlow]),
      [
        [0, 'Cookie', 'ALTERNATIVE', false],
        [0, 'Identity Provider Redirector', 'ALTERNATIVE', false],
        [0, 'forms', 'ALTERNATIVE', true],
        [1, 'Username Password Form', 'REQUIRED', false],
        [1, 'Browser - Conditional OTP', 'CONDITIONAL', true],
        [2, 'Condition - user configured', 'REQUIRED', false],
        [2, 'OTP Form', 'REQUIRED', false],
      ],
    );
    assert.equal(executions[3].providerId, 'auth-username-password-form');
    const direct = await kc.authenticationManagement.getExecutions({ flow: 'direct grant' });
    assert.deepEqual(direct.map((e) => e.providerId), ['direct-grant-validate-username', 'direct-grant-validate-password', 'basic-flow', 'conditional-user-configured', 'direct-grant-validate-otp']);
    const broker = await kc.authenticationManagement.getExecutions({ flow: 'first broker login' });
    assert.deepEqual(
      broker.filter((e) => !e.authenticationFlow).map((e) => [e.level, e.providerId]),
      [
        [0, 'idp-review-profile'],
        [1, 'idp-create-user-if-unique'],
        [2, 'idp-confirm-link'],
        [3, 'idp-username-password-form'],
        [4, 'conditional-user-configured'],
        [4, 'auth-otp-form'],
      ],
    );
  });

  it('lists the authenticators holdfast runs, none of them configurable', async () => {
    const ids = (list: Array<{ id?: string }>) => list.map((p) => p.id);
    assert.ok(ids(await kc.authenticationManagement.getAuthenticatorProviders()).includes('auth-otp-form'));
    assert.deepEqual(ids(await kc.authenticationManagement.getClientAuthenticatorProviders()), ['client-secret', 'client-jwt', 'client-secret-jwt']);
    assert.deepEqual(ids(await kc.authenticationManagement.getFormProviders()), ['registration-page-form']);
    assert.deepEqual(ids(await kc.authenticationManagement.getFormActionProviders()), ['registration-user-creation', 'registration-password-action']);
    assert.deepEqual((await kc.authenticationManagement.getConfigDescription({ providerId: 'auth-otp-form' })).properties, []);
    const registration = await kc.authenticationManagement.getExecutions({ flow: 'registration' });
    assert.deepEqual(registration.map((e) => e.providerId), ['registration-page-form', 'registration-user-creation', 'registration-password-action']);
    const unknown = await adminRequest(server.url, token, 'GET', '/demo/authentication/config-description/nope');
    assert.deepEqual([unknown.status, unknown.body], [404, { error: 'Could not find authenticator provider' }]);
    assert.equal((await adminRequest(server.url, token, 'GET', '/demo/authentication/config/some-id')).status, 404);
  });

  it('answers 404 for an unknown flow id or alias', async () => {
    const byId = await adminRequest(server.url, token, 'GET', '/demo/authentication/flows/no-such-id');
    assert.deepEqual([byId.status, byId.body], [404, { error: 'Could not find flow with id' }]);
    const byAlias = await adminRequest(server.url, token, 'GET', `/demo/authentication/flows/${encodeURIComponent('no such flow')}/executions`);
    assert.deepEqual([byAlias.status, byAlias.body], [404, { error: 'Flow not found' }]);
  });

  it('refuses every write to flows, executions and their configs with a message saying why', async () => {
    const browser = (await kc.authenticationManagement.getFlows())[0];
    const executions = await kc.authenticationManagement.getExecutions({ flow: 'browser' });
    const writes = [
      () => kc.authenticationManagement.createFlow({ alias: 'mine', providerId: 'basic-flow', topLevel: true, builtIn: false }),
      () => kc.authenticationManagement.copyFlow({ flow: 'browser', newName: 'copy' }),
      () => kc.authenticationManagement.deleteFlow({ flowId: browser.id! }),
      () => kc.authenticationManagement.updateFlow({ flowId: browser.id! }, { ...browser, description: 'changed' }),
      () => kc.authenticationManagement.updateExecution({ flow: 'browser' }, { ...executions[0], requirement: 'DISABLED' }),
      () => kc.authenticationManagement.addExecutionToFlow({ flow: 'browser', provider: 'auth-otp-form' }),
      () => kc.authenticationManagement.delExecution({ id: executions[0].id! }),
      () => kc.authenticationManagement.raisePriorityExecution({ id: executions[1].id! }),
    ];
    for (const write of writes) {
      const refused = await failure(write());
      assert.equal(refused.status, 400);
      assert.match(refused.body.errorMessage, /not editable in holdfast/);
    }
    assert.equal((await kc.authenticationManagement.getExecutions({ flow: 'browser' }))[0].requirement, 'ALTERNATIVE');
  });

  it('needs view-realm to read and manage-realm to write', async () => {
    await userWithManagementRoles(server.url, 'demo', 'flow-viewer', ['view-realm']);
    await userWithManagementRoles(server.url, 'demo', 'flow-nobody', ['view-users']);
    const viewer = (await tokenFor(server.url, 'demo', { grant_type: 'password', client_id: 'admin-cli', username: 'flow-viewer', password: 'flow-viewer-pw' })).body.access_token;
    const nobody = (await tokenFor(server.url, 'demo', { grant_type: 'password', client_id: 'admin-cli', username: 'flow-nobody', password: 'flow-nobody-pw' })).body.access_token;
    assert.equal((await adminRequest(server.url, viewer, 'GET', '/demo/authentication/flows')).status, 200);
    assert.equal((await adminRequest(server.url, nobody, 'GET', '/demo/authentication/flows')).status, 403);
    assert.equal((await adminRequest(server.url, nobody, 'GET', '/demo/authentication/flows/browser/executions')).status, 403);
    assert.equal((await adminRequest(server.url, viewer, 'POST', '/demo/authentication/flows', { alias: 'x', providerId: 'basic-flow' })).status, 403);
    assert.equal((await adminRequest(server.url, viewer, 'DELETE', '/demo/authentication/executions/x')).status, 403);
  });

  it("shows the realm's flow bindings, and refuses a binding to another flow", async () => {
    const realm = await kc.realms.findOne({ realm: 'demo' });
    assert.deepEqual(
      [realm!.browserFlow, realm!.directGrantFlow, realm!.registrationFlow, realm!.resetCredentialsFlow, realm!.clientAuthenticationFlow, (realm as Record<string, unknown>).firstBrokerLoginFlow],
      ['browser', 'direct grant', 'registration', 'reset credentials', 'clients', 'first broker login'],
    );
    // What was read can be saved back as it is.
    await kc.realms.update({ realm: 'demo' }, realm!);
    const refused = await failure(kc.realms.update({ realm: 'demo' }, { browserFlow: 'my browser' }));
    assert.equal(refused.status, 400);
    assert.equal(refused.body.field, 'browserFlow');
    assert.match(refused.body.errorMessage, /must be 'browser'.*not editable/);
  });
});
