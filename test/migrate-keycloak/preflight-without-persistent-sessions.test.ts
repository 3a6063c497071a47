/**
 * The pre-flight on a Keycloak 26.7.3 that runs with the `persistent-user-sessions` feature
 * disabled (issue #19): its online sessions live only in its caches, so the report must say that
 * they cannot be carried while the offline ones (still in the database) can.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runHoldfastCommand } from '../support/process.ts';
import { keycloakSkipReason, startKeycloak, type RunningKeycloak } from '../support/keycloak.ts';

const REALM = 'volatile';

describe('migrate-from-keycloak pre-flight with persistent-user-sessions disabled', { skip: keycloakSkipReason(), timeout: 1_800_000 }, () => {
  let keycloak: RunningKeycloak;
  let run: { code: number | null; output: string };

  before(async () => {
    keycloak = await startKeycloak({ persistentUserSessions: false });
    await keycloak.admin('POST', '/realms', { realm: REALM, enabled: true });
    await keycloak.admin('POST', `/realms/${REALM}/clients`, { clientId: 'app', publicClient: true, directAccessGrantsEnabled: true, redirectUris: ['http://localhost/*'] });
    await keycloak.admin('POST', `/realms/${REALM}/users`, { username: 'dana', enabled: true, email: 'dana@example.com', firstName: 'Dana', lastName: 'Doe', emailVerified: true, credentials: [{ type: 'password', value: 'dana-password', temporary: false }] });
    for (const scope of ['openid', 'openid offline_access']) {
      const response = await fetch(`${keycloak.baseUrl}/realms/${REALM}/protocol/openid-connect/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'password', client_id: 'app', username: 'dana', password: 'dana-password', scope }),
      });
      assert.equal(response.status, 200, await response.text());
    }
    await keycloak.shutdown();
    run = await runHoldfastCommand(undefined, ['migrate-from-keycloak', '--keycloak-db-url', keycloak.dbUrl, '--dry-run', '--json'], 300_000);
  });

  after(async () => {
    await keycloak?.stop();
  });

  it('reports that online sessions cannot be carried and offline ones can', () => {
    assert.equal(run.code, 0, run.output);
    const report = JSON.parse(run.output.slice(run.output.indexOf('{')));
    const [realm] = report.preflight.realms;
    assert.deepEqual([realm.realm, realm.onlineSessions, realm.offlineSessions], [REALM, 0, 1]);
    const finding = report.preflight.findings.find((f: { code: string }) => f.code === 'persistent-user-sessions-off');
    assert.ok(finding, run.output);
    assert.match(finding.message, /online sessions .* cannot be carried; offline sessions can/);
    assert.equal(report.preflight.verdict, 'possible with these losses');
    assert.deepEqual(report.realms[0].carried, { online: 0, offline: 1, clientSessions: 1 });
    assert.equal(report.written, false);
  });
});
