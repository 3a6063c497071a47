/**
 * The admin console's realm-wide sessions page (issue #15.1): `GET ui-ext/sessions` as Keycloak's
 * admin UI extension answers it (`type` ALL, REGULAR or OFFLINE; `search`; `first`/`max`), and
 * `GET ui-ext/sessions/count`, which Keycloak has not: the page's total, from the store's kept
 * counts so that a realm with a million sessions answers at once (README, "Admin sessions page").
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { adminBadRequest } from '../../errors/index.ts';
import type { LoadedRealm } from '../../realm/index.ts';
import { isUserSessionValid, type RealmSessionQuery } from '../../session/index.ts';
import { adminScope, paging, queryString, refuseUnknownQuery } from '../admin-request.ts';
import { toUserSessionRepresentation } from '../representations/session.ts';

/** Keycloak's default page of the sessions tab. */
const DEFAULT_MAX = 10;
/** A page is bounded whatever `max` asks, so that one request cannot read a million sessions. */
const MAX_PAGE = 1000;
/** Users whose username matches a search, at most: a search is for finding, not for exporting. */
const MAX_SEARCHED_USERS = 100;

const TYPES = { ALL: undefined, REGULAR: false, OFFLINE: true } as const;
type SessionType = keyof typeof TYPES;

function sessionType(request: FastifyRequest): SessionType {
  const type = (queryString(request, 'type') ?? 'ALL').toUpperCase();
  if (!(type in TYPES)) throw adminBadRequest('type: expected ALL, REGULAR or OFFLINE', 'type');
  return type as SessionType;
}

/** A search matches usernames (as the users list matches them) and IP addresses by prefix. */
async function searchOf(ctx: Context, realm: LoadedRealm, search: string | undefined): Promise<RealmSessionQuery['search']> {
  const text = search?.trim() ?? '';
  if (text === '' || text === '*') return undefined;
  const users = await ctx.realms.repository.findUsers(realm.realm.id, { search: [{ exact: false, text }], first: 0, max: MAX_SEARCHED_USERS });
  return { userIds: users.map((user) => user.id), ipPrefix: text };
}

export async function realmSessionListRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  app.get('/admin/realms/:realm/ui-ext/sessions', async (request) => {
    refuseUnknownQuery(request, ['type', 'search', 'first', 'max']);
    const { realm } = await adminScope(ctx, request, 'view-realm');
    const type = sessionType(request);
    const { first, max } = paging(request, DEFAULT_MAX);
    const search = await searchOf(ctx, realm, queryString(request, 'search'));
    const sessions = await ctx.store.listUserSessionsOfRealm(realm.realm.id, { offline: TYPES[type], search, first, max: Math.min(max, MAX_PAGE) });
    const now = ctx.sessions.now();
    const out: Record<string, unknown>[] = [];
    for (const session of sessions) {
      // Lapsed but not yet swept: not a session any more, as the other listings show it.
      if (!isUserSessionValid(realm.realm.settings, session, now)) continue;
      const user = await ctx.realms.getUserView(realm, session.userId);
      if (!user) continue;
      const { rememberMe, ...representation } = toUserSessionRepresentation(realm, session, user.user.username);
      // Keycloak's ui-ext shape: the kind of session, and rememberMe only when it is set.
      out.push({ ...representation, ...(rememberMe === true ? { rememberMe } : {}), type: session.offline ? 'OFFLINE' : 'REGULAR' });
    }
    return out;
  });

  app.get('/admin/realms/:realm/ui-ext/sessions/count', async (request) => {
    refuseUnknownQuery(request, ['type']);
    const { realm } = await adminScope(ctx, request, 'view-realm');
    const offline = TYPES[sessionType(request)];
    const kinds = offline === undefined ? [false, true] : [offline];
    let count = 0;
    for (const kind of kinds) count += await ctx.store.countUserSessionsOfRealm(realm.realm.id, kind);
    return count;
  });
}
