/**
 * The real-Keycloak fixture itself (test/support/keycloak.ts): Keycloak starts on its own
 * PostgreSQL database under a relative path, answers its admin API and discovery at that path,
 * and its stop drops the database.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { keycloakSkipReason, startKeycloak } from '../support/keycloak.ts';

describe('Keycloak fixture', { skip: keycloakSkipReason() }, () => {
  it('starts Keycloak at /auth on a throwaway database, serves discovery and the admin API, and drops the database on stop', { timeout: 900_000 }, async () => {
    const keycloak = await startKeycloak({ relativePath: '/auth' });
    try {
      assert.match(keycloak.baseUrl, /^http:\/\/127\.0\.0\.1:\d+\/auth$/);
      const discovery = (await (await fetch(`${keycloak.baseUrl}/realms/master/.well-known/openid-configuration`)).json()) as { issuer: string };
      assert.equal(discovery.issuer, `${keycloak.baseUrl}/realms/master`);
      const realms = (await (await keycloak.admin('GET', '/realms')).json()) as { realm: string }[];
      assert.deepEqual(realms.map((realm) => realm.realm), ['master']);
      const client = new pg.Client({ connectionString: keycloak.dbUrl });
      await client.connect();
      try {
        const { rows } = await client.query('SELECT count(*)::int AS n FROM realm');
        assert.equal(rows[0].n, 1);
      } finally {
        await client.end();
      }
    } finally {
      await keycloak.stop();
    }
    const admin = new pg.Client({ connectionString: keycloak.dbUrl.replace(/\/[^/]+$/, '/postgres') });
    await admin.connect();
    try {
      const { rows } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [keycloak.dbName]);
      assert.equal(rows.length, 0);
    } finally {
      await admin.end();
    }
  });
});
