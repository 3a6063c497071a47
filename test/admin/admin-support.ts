/**
 * A real listening holdfast on a fresh SQLite data directory for the admin API tests, with the
 * demo seed (master admin `admin`/`admin`), and helpers to get an authenticated
 * @keycloak/keycloak-admin-client, a raw bearer token, or to send raw requests the admin client
 * would never send (malformed JSON, wrong types, missing tokens).
 */
import fs from 'node:fs';
import KcAdminClient from '@keycloak/keycloak-admin-client';
import { buildApp, type Holdfast } from '../../src/app.ts';
import { testConfig, type Config } from '../../src/config/index.ts';
import type { Clock } from '../../src/clock/index.ts';
import { newKeyEncryptionKeyText } from '../../src/crypto/index.ts';
import { after, before } from 'node:test';
import { freshDatabase, type FreshDatabase } from '../support/postgres.ts';
import { tempDir } from '../support/process.ts';

export interface AdminServer {
  url: string;
  dataDir: string;
  holdfast: Holdfast;
  close(): Promise<void>;
}

/** Starts on `overrides.dataDir`, or on a new directory that `close()` removes; on `clock` when given (time moved by the test). */
export async function startAdminServer(overrides: Partial<Config> = {}, clock?: Clock): Promise<AdminServer> {
  const dataDir = overrides.dataDir ?? tempDir('holdfast-admin-');
  const holdfast = await buildApp({ config: testConfig({ dataDir, ...overrides }), ...(clock ? { clock } : {}) });
  await holdfast.app.listen({ port: 0, host: '127.0.0.1' });
  const address = holdfast.app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    dataDir,
    holdfast,
    async close() {
      await holdfast.close();
      if (overrides.dataDir === undefined) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A server on SQLite, or on a throwaway PostgreSQL database that `close()` drops. */
export async function startAdminServerOn(dialect: 'sqlite' | 'postgres'): Promise<AdminServer> {
  if (dialect === 'sqlite') return startAdminServer();
  const database = await freshDatabase();
  // On PostgreSQL a key-encryption key is always given (README "Secrets at rest").
  const server = await startAdminServer({ db: 'postgres', dbUrl: database.url, kek: { variable: 'HOLDFAST_KEK', value: newKeyEncryptionKeyText() } });
  return {
    ...server,
    async close() {
      await server.close();
      await database.drop();
    },
  };
}

/**
 * For the enclosing suite: two nodes on one throwaway PostgreSQL database, behind one public URL
 * (`http://idp.test`) as behind a load balancer, so they issue and accept the same issuer. Started
 * before the suite's tests (filling `nodes`), stopped and the database dropped after them.
 */
export function twoNodesSharingPostgres(): { nodes: AdminServer[] } {
  const cluster = { nodes: [] as AdminServer[] };
  let database: FreshDatabase | undefined;
  before(async () => {
    database = await freshDatabase();
    const kek = { variable: 'HOLDFAST_KEK', value: newKeyEncryptionKeyText() };
    const shared = { db: 'postgres' as const, dbUrl: database.url, hostname: 'http://idp.test', kek };
    cluster.nodes.push(await startAdminServer(shared), await startAdminServer(shared));
  });
  after(async () => {
    for (const node of cluster.nodes) await node.close();
    await database?.drop();
  });
  return cluster;
}

/** A server on `dialect` with a new realm `realm`: the admin client acting on it, and a master admin's bearer token. */
export async function startAdminRealm(dialect: 'sqlite' | 'postgres', realm: string): Promise<{ server: AdminServer; kc: KcAdminClient; token: string }> {
  const server = await startAdminServerOn(dialect);
  await (await adminClient(server.url)).realms.create({ realm, enabled: true });
  return { server, kc: await adminClient(server.url, {}, realm), token: await masterToken(server.url) };
}

/** An admin client logged in with the password grant (admin-cli), acting on `actOn` (default: the login realm). */
export async function adminClient(url: string, login: { realm?: string; username?: string; password?: string } = {}, actOn?: string): Promise<KcAdminClient> {
  const realm = login.realm ?? 'master';
  const client = new KcAdminClient({ baseUrl: url, realmName: realm });
  await client.auth({ grantType: 'password', clientId: 'admin-cli', username: login.username ?? 'admin', password: login.password ?? 'admin' });
  if (actOn) client.setConfig({ realmName: actOn });
  return client;
}

/**
 * A user of `realm` with password `<username>-pw` and the given realm-management roles, created
 * by the master admin; answers the user's id.
 */
export async function userWithManagementRoles(url: string, realm: string, username: string, roles: string[]): Promise<string> {
  const kc = await adminClient(url, {}, realm);
  const { id } = await kc.users.create({ username, enabled: true, credentials: [{ type: 'password', value: `${username}-pw` }] });
  const management = (await kc.clients.find({ clientId: 'realm-management' }))[0];
  const wanted = (await kc.clients.listRoles({ id: management.id! })).filter((r) => roles.includes(r.name!)).map((r) => ({ id: r.id!, name: r.name! }));
  if (wanted.length > 0) await kc.users.addClientRoleMappings({ id, clientUniqueId: management.id!, roles: wanted });
  return id;
}

export async function tokenFor(url: string, realm: string, fields: Record<string, string>): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}/realms/${realm}/protocol/openid-connect/token`, { method: 'POST', body: new URLSearchParams(fields) });
  return { status: response.status, body: await response.json() };
}

export async function masterToken(url: string): Promise<string> {
  const { body } = await tokenFor(url, 'master', { grant_type: 'password', client_id: 'admin-cli', username: 'admin', password: 'admin' });
  return body.access_token;
}

/** A raw admin API request; `body` is sent as given when it is a string (for malformed JSON). */
export async function adminRequest(url: string, token: string | undefined, method: string, path: string, body?: unknown): Promise<{ status: number; body: any; headers: Headers }> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${url}/admin/realms${path}`, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? '' : JSON.parse(text);
  } catch {
    // Left as text.
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

/** The status and body of a failed admin-client call. */
export async function failure(call: Promise<unknown>): Promise<{ status: number; body: any; message: string }> {
  try {
    await call;
  } catch (error) {
    const e = error as { response?: Response; responseData?: unknown; message: string };
    if (e.response) return { status: e.response.status, body: e.responseData, message: e.message };
    throw error;
  }
  throw new Error('expected the call to fail');
}
