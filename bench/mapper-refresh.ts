/**
 * `npm run bench:mappers`: the refresh grant for a client whose default scopes carry five extra
 * protocol mappers (user attribute, hardcoded claim, group membership, audience, client roles)
 * against the same grant for a client without them, in one holdfast process (SQLite, in memory,
 * app.inject), so only the claim work differs. The two sides run interleaved, several rounds each
 * of a fixed number of refreshes; the change is the median of each round's ratio (its two runs are
 * neighbours in time), and the acceptance is "within 5 %".
 * Prints the table and writes JSON to bench/results/.
 *
 *   npm run bench:mappers                 15 rounds × 500 refreshes per side
 *   npm run bench:mappers -- --rounds 3 --requests 500
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from '../src/app.ts';
import { testConfig } from '../src/config/index.ts';
import { newId } from '../src/crypto/index.ts';
import { exampleClaims, grantScopes } from '../src/oidc/tokens/index.ts';
import { clientDefaults, newPasswordCredential, scopeGrantOf, newUser, withSecret, type Client, type ClientScope } from '../src/realm/index.ts';

const SECRET = 'bench-secret';
const TOKEN = '/realms/demo/protocol/openid-connect/token';
const CONCURRENCY = 8;

const mapper = (name: string, protocolMapper: string, config: Record<string, string>) => ({ id: newId(), name, protocol: 'openid-connect', protocolMapper, consentRequired: false, config });
const FIVE_MAPPERS = [
  mapper('department', 'oidc-usermodel-attribute-mapper', { 'user.attribute': 'department', 'claim.name': 'org.department', 'jsonType.label': 'String', 'access.token.claim': 'true', 'id.token.claim': 'true' }),
  mapper('tenant', 'oidc-hardcoded-claim-mapper', { 'claim.name': 'tenant', 'claim.value': 'acme', 'jsonType.label': 'String', 'access.token.claim': 'true', 'id.token.claim': 'true' }),
  mapper('groups', 'oidc-group-membership-mapper', { 'claim.name': 'groups', 'full.path': 'true', 'access.token.claim': 'true', 'id.token.claim': 'true' }),
  mapper('audience', 'oidc-audience-mapper', { 'included.custom.audience': 'https://api.example.com', 'access.token.claim': 'true' }),
  mapper('client roles', 'oidc-usermodel-client-role-mapper', { 'claim.name': 'app_roles', multivalued: 'true', 'access.token.claim': 'true' }),
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { rounds: { type: 'string' }, requests: { type: 'string' } } });
  const rounds = Number(values.rounds ?? 15);
  const requests = Number(values.requests ?? 500);
  if (!(rounds >= 1 && rounds <= 50 && requests >= 10 && requests <= 100_000)) throw new Error('--rounds in [1, 50], --requests in [10, 100000]');

  const holdfast = await buildApp({ config: testConfig() });
  const { ctx, app } = holdfast;
  try {
    const realm = (await ctx.realms.getRealm('demo'))!;
    const repository = ctx.realms.repository;
    const scope: ClientScope = {
      id: newId(),
      realmId: realm.realm.id,
      name: 'bench-extras',
      protocol: 'openid-connect',
      attributes: { 'include.in.token.scope': 'false' },
      protocolMappers: FIVE_MAPPERS,
      scopeMappings: [],
      position: 1000,
    };
    await repository.createClientScopes([scope]);
    const plainScopes = [...realm.clientsByClientId.get('demo-service')!.defaultClientScopes];
    const makeClient = (clientId: string, extra: string[]): Client =>
      withSecret({ ...clientDefaults(), id: newId(), realmId: realm.realm.id, clientId, directAccessGrantsEnabled: true, defaultClientScopes: [...plainScopes, ...extra], optionalClientScopes: [] }, SECRET, realm.keys.sealKey);
    const plain = makeClient('bench-plain', []);
    const mapped = makeClient('bench-mapped', ['bench-extras']);
    await repository.createClient(plain);
    await repository.createClient(mapped);
    const group = { id: newId(), realmId: realm.realm.id, name: 'staff', attributes: {}, roleIds: [], defaultGroup: false };
    await repository.createGroups([group]);
    const user = newUser(realm.realm.id, { username: 'bench', attributes: { department: ['ops'] } }, Date.now());
    await repository.createUsers([{ user, roleIds: [realm.realm.settings.attributes.defaultRoleId], credentials: [], groupIds: [group.id] }]);
    await ctx.realms.realmChanged(realm.realm.id);

    const post = async (fields: Record<string, string>) => {
      const response = await app.inject({ method: 'POST', url: TOKEN, payload: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      if (response.statusCode !== 200) throw new Error(`token endpoint answered ${response.statusCode}: ${response.body}`);
      return response.json() as { refresh_token: string; access_token: string };
    };
    await repository.setPassword(user.id, await newPasswordCredential('bench-pw', Date.now()));
    const sides = await Promise.all(
      [plain, mapped].map(async (client) => {
        const login = await post({ grant_type: 'password', client_id: client.clientId, client_secret: SECRET, username: 'bench', password: 'bench-pw', scope: 'openid' });
        return { client, refreshToken: login.refresh_token, claims: JSON.parse(Buffer.from(login.access_token.split('.')[1], 'base64url').toString()) as Record<string, unknown> };
      }),
    );
    if (sides[1].claims.tenant !== 'acme' || sides[0].claims.tenant !== undefined) throw new Error('the mapped client does not get the mappers claims');

    const run = async (side: (typeof sides)[number]): Promise<number> => {
      const fields = { grant_type: 'refresh_token', client_id: side.client.clientId, client_secret: SECRET, refresh_token: side.refreshToken };
      let next = 0;
      const started = process.hrtime.bigint();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < requests) {
            next += 1;
            await post(fields);
          }
        }),
      );
      return requests / (Number(process.hrtime.bigint() - started) / 1e9);
    };
    await run(sides[0]);
    await run(sides[1]);
    const rates: Record<'without' | 'with', number[]> = { without: [], with: [] };
    for (let round = 0; round < rounds; round++) {
      // Alternate which side goes first, so a slow moment of the shared CPU hits both alike.
      const order = round % 2 === 0 ? (['without', 'with'] as const) : (['with', 'without'] as const);
      for (const name of order) rates[name].push(await run(sides[name === 'without' ? 0 : 1]));
    }
    // The claim work alone (plan lookup and mapper functions, no signing), per token response.
    const loaded = (await ctx.realms.getRealm('demo'))!;
    const view = (await ctx.realms.getUserView(loaded, user.id))!;
    const claimMicros = async (client: Client): Promise<number> => {
      const scopes = grantScopes(scopeGrantOf(loaded, client), 'openid');
      const request = { realm: loaded, issuer: 'http://bench', client, user: view, scopes, grant: 'rt' as const, acr: '0', now: 0 };
      const n = 20_000;
      const started = process.hrtime.bigint();
      for (let i = 0; i < n; i++) exampleClaims(request);
      return Number(process.hrtime.bigint() - started) / 1e3 / n;
    };
    const micros: Record<'without' | 'with', number[]> = { without: [], with: [] };
    for (let round = 0; round < 5; round++) {
      micros.without.push(await claimMicros(loaded.clientsByClientId.get(plain.clientId)!));
      micros.with.push(await claimMicros(loaded.clientsByClientId.get(mapped.clientId)!));
    }

    const without = median(rates.without);
    const withMappers = median(rates.with);
    // Each round's two runs are neighbours in time: their ratio cancels most of the shared CPU's drift.
    const change = (median(rates.with.map((rate, i) => rate / rates.without[i])) - 1) * 100;
    const result = {
      scenario: 'refresh with five extra mappers',
      date: new Date().toISOString(),
      rounds,
      requestsPerRound: requests,
      concurrency: CONCURRENCY,
      refreshPerSecond: { without: rates.without, with: rates.with },
      medians: { without, with: withMappers },
      /** Median over rounds of with/without, minus one. */
      changePercent: Number(change.toFixed(2)),
      claimWorkMicrosPerResponse: { without: median(micros.without), with: median(micros.with) },
      withinFivePercent: change >= -5,
    };
    console.log('| client | refresh/s (median of %d) | rounds |', rounds);
    console.log('|---|---:|---|');
    console.log(`| default scopes only | ${without.toFixed(0)} | ${rates.without.map((r) => r.toFixed(0)).join(', ')} |`);
    console.log(`| + five mappers | ${withMappers.toFixed(0)} | ${rates.with.map((r) => r.toFixed(0)).join(', ')} |`);
    console.log(`claim work per token response (access + ID token + userinfo claims, no signing): ${median(micros.without).toFixed(1)} µs without, ${median(micros.with).toFixed(1)} µs with`);
    console.log(`change (median of the rounds' ratios): ${change.toFixed(2)} % (${result.withinFivePercent ? 'within' : 'NOT within'} 5 %)`);
    const out = path.join(import.meta.dirname, 'results', `${result.date.slice(0, 10)}-refresh-mappers.json`);
    fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`wrote ${path.relative(process.cwd(), out)}`);
  } finally {
    await holdfast.close();
  }
}

await main();
