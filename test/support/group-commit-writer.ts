/**
 * A child process for the group-commit durability test: opens the SQLite store of a data
 * directory and writes without pause — new user sessions and refresh-token rotations, 32 at a
 * time — printing each one on stdout only once its promise resolved (acknowledged). The parent
 * kills it with SIGKILL mid-stream and checks that everything printed is on disk.
 * Bounded: it stops by itself after ROUNDS rounds.
 */
import { openSqlDatabase, SqlSessionStore } from '../../src/store/sql/index.ts';

const ROUNDS = 2000;
const dataDir = process.argv[2];
const database = await openSqlDatabase({ dialect: 'sqlite', dataDir });
const store = new SqlSessionStore(database.db);
const t = Math.floor(Date.now() / 1000);
const rotated = 'rotated-session';
await store.createUserSession({
  id: rotated, offline: false, realmId: 'realm-kill', userId: 'user-kill', started: t, lastRefresh: t, rememberMe: false, ipAddress: '192.0.2.1', authTime: t, expiresAt: t + 3600,
  clientSessions: new Map([['client-a', { clientUuid: 'client-a', started: t, timestamp: t, scope: 'openid', refreshTokenUses: 0 }]]),
});
process.stdout.write('ready\n');
let jti = 0;
for (let round = 0; round < ROUNDS; round++) {
  await Promise.all(
    Array.from({ length: 32 }, async (_, i) => {
      if (i % 2 === 0) {
        const id = `s-${round}-${i}`;
        await store.createUserSession({ id, offline: false, realmId: 'realm-kill', userId: 'user-kill', started: t, lastRefresh: t, rememberMe: false, ipAddress: '192.0.2.1', authTime: t, expiresAt: t + 3600, clientSessions: new Map() });
        process.stdout.write(`session ${id}\n`);
      } else {
        const mine = ++jti;
        const outcome = await store.useRefreshToken(rotated, false, 'client-a', { jti: `j-${String(mine).padStart(8, '0')}`, issuedAt: t + 3600, now: t, maxReuse: 0 });
        if (outcome === 'ok') process.stdout.write(`rotated ${mine}\n`);
      }
    }),
  );
}
await database.close();
