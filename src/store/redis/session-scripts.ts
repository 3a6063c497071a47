/**
 * The Lua scripts behind RedisSessionStore. Each one touches only keys of one hash slot (a user
 * session's hash and its index record share the `{sessionId}` tag), so every step that must be
 * atomic — create, single-use code consumption, refresh-token compare-and-set, forward-only touch,
 * delete with children — is one script, and stays valid on Redis Cluster. ioredis sends them by
 * EVALSHA and falls back to EVAL after a server restart has emptied the script cache.
 *
 * Session hash fields: realmId, userId, started, lastRefresh, rememberMe, ipAddress, authTime,
 * expiresAt, userAgent (absent when none), notes (JSON, absent when none); per client session `c:<uuid>` (JSON of the fields that never change), `t:<uuid>`
 * (timestamp), `j:<uuid>` (refresh jti, absent when none), `n:<uuid>` (refresh uses).
 * Index record fields: realmId, userId, and `c:<uuid>` for every client the session ever had.
 * Login failure hash fields: numFailures, numTemporaryLockouts, lastFailure (ms), lastIpFailure,
 * failedLoginNotBefore (s). A login-attempt claim is a plain key holding its holder, with a PX TTL.
 */
import type { Redis } from 'ioredis';
import type { RefreshTokenUseOutcome } from '../../session/types.ts';

type Arg = string | number;

/** KEYS: session, index. ARGV: expiresAt, indexExpiresAt, session field/value pairs. → 1, or 0 if it exists. */
const createSession = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local index = {}
for i = 3, #ARGV, 2 do
  local field = ARGV[i]
  if field == 'realmId' or field == 'userId' then
    index[#index + 1] = field
    index[#index + 1] = ARGV[i + 1]
  elseif string.sub(field, 1, 2) == 'c:' then
    index[#index + 1] = field
    index[#index + 1] = '1'
  end
end
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('HSET', KEYS[2], unpack(index))
redis.call('EXPIREAT', KEYS[1], ARGV[1])
redis.call('EXPIREAT', KEYS[2], ARGV[2])
return 1`;

/** KEYS: session, index. ARGV: expiresAt, indexExpiresAt, uuid, fixed JSON, timestamp, uses[, jti]. → {realmId, started} or nil. */
const putClientSession = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local u = ARGV[3]
if tonumber(redis.call('HGET', KEYS[1], 'expiresAt')) < tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'expiresAt', ARGV[1])
  redis.call('EXPIREAT', KEYS[1], ARGV[1])
  redis.call('EXPIREAT', KEYS[2], ARGV[2])
end
redis.call('HSET', KEYS[1], 'c:' .. u, ARGV[4], 't:' .. u, ARGV[5], 'n:' .. u, ARGV[6])
if ARGV[7] then
  redis.call('HSET', KEYS[1], 'j:' .. u, ARGV[7])
else
  redis.call('HDEL', KEYS[1], 'j:' .. u)
end
redis.call('HSET', KEYS[2], 'c:' .. u, '1')
return redis.call('HMGET', KEYS[1], 'realmId', 'started')`;

/** KEYS: session. ARGV: uuid. → realmId, or nil if there was no such client session. */
const removeClientSession = `
local u = ARGV[1]
if redis.call('HDEL', KEYS[1], 'c:' .. u, 't:' .. u, 'j:' .. u, 'n:' .. u) == 0 then return false end
return redis.call('HGET', KEYS[1], 'realmId')`;

/** KEYS: session, index. → {1 if the session existed, index record as a flat list}. */
const deleteSession = `
local existed = redis.call('DEL', KEYS[1])
return {existed, redis.call('HGETALL', KEYS[2])}`;

/** KEYS: session, index. ARGV: lastRefresh, expiresAt, indexExpiresAt[, uuid, clientTimestamp]. */
const touchSession = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local function raise(field, value)
  local current = tonumber(redis.call('HGET', KEYS[1], field))
  if current ~= nil and current >= tonumber(value) then return false end
  redis.call('HSET', KEYS[1], field, value)
  return true
end
raise('lastRefresh', ARGV[1])
if raise('expiresAt', ARGV[2]) then
  redis.call('EXPIREAT', KEYS[1], ARGV[2])
  redis.call('EXPIREAT', KEYS[2], ARGV[3])
end
if ARGV[4] and redis.call('HEXISTS', KEYS[1], 'c:' .. ARGV[4]) == 1 then raise('t:' .. ARGV[4], ARGV[5]) end
return 1`;

/**
 * KEYS: session. ARGV: uuid, jti, issuedAt, now, maxReuse. → 'ok' | 'exceeded' | 'stale' | 'missing'.
 * The same rule as the SQL UPDATE: an older other jti is stale (nothing written); otherwise the
 * jti is counted (refusals too) and an accepted use moves the client session's timestamp to now.
 */
const useRefreshToken = `
local u = ARGV[1]
if redis.call('HEXISTS', KEYS[1], 'c:' .. u) == 0 then return 'missing' end
local stored = redis.call('HGET', KEYS[1], 'j:' .. u)
local timestamp = tonumber(redis.call('HGET', KEYS[1], 't:' .. u))
if stored and stored ~= ARGV[2] and tonumber(ARGV[3]) < timestamp then return 'stale' end
local uses = 1
if stored == ARGV[2] then uses = tonumber(redis.call('HGET', KEYS[1], 'n:' .. u)) + 1 end
redis.call('HSET', KEYS[1], 'j:' .. u, ARGV[2], 'n:' .. u, uses)
if uses > tonumber(ARGV[5]) + 1 then return 'exceeded' end
if timestamp < tonumber(ARGV[4]) then redis.call('HSET', KEYS[1], 't:' .. u, ARGV[4]) end
return 'ok'`;

/**
 * KEYS: login failure. ARGV: atMs, ipAddress, resetAfterMs ('' = never). → {previous failure ms,
 * counters as a flat field list}. Too old a previous failure clears every counter (as Keycloak).
 */
const recordLoginFailure = `
local last = tonumber(redis.call('HGET', KEYS[1], 'lastFailure') or '0')
if ARGV[3] ~= '' and last > 0 and tonumber(ARGV[1]) - last > tonumber(ARGV[3]) then
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], 'numFailures', 1, 'numTemporaryLockouts', 0, 'lastFailure', 0, 'failedLoginNotBefore', 0)
else
  redis.call('HINCRBY', KEYS[1], 'numFailures', 1)
  redis.call('HSETNX', KEYS[1], 'numTemporaryLockouts', 0)
  redis.call('HSETNX', KEYS[1], 'failedLoginNotBefore', 0)
  redis.call('HSET', KEYS[1], 'lastFailure', ARGV[1], 'lastIpFailure', ARGV[2])
end
return {tostring(last), redis.call('HGETALL', KEYS[1])}`;

/**
 * KEYS: login failure. ARGV: notBefore, 1 to count the lockout (else 0), maxLockouts ('' = none).
 * → counters as a flat field list, or nil when there is no record.
 */
const lockLoginFailure = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local lockouts = tonumber(redis.call('HGET', KEYS[1], 'numTemporaryLockouts') or '0') + tonumber(ARGV[2])
redis.call('HSET', KEYS[1], 'numTemporaryLockouts', lockouts)
if ARGV[3] == '' or lockouts <= tonumber(ARGV[3]) then
  local current = tonumber(redis.call('HGET', KEYS[1], 'failedLoginNotBefore') or '0')
  if current < tonumber(ARGV[1]) then redis.call('HSET', KEYS[1], 'failedLoginNotBefore', ARGV[1]) end
end
return redis.call('HGETALL', KEYS[1])`;

/** KEYS: login-attempt claim. ARGV: holder. Deletes the claim only while that holder has it. */
const releaseLoginAttempt = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1`;

/** KEYS: code. ARGV: expiresAt, data. → 1, or 0 if the code is already stored. */
const putCode = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'data', ARGV[2])
redis.call('EXPIREAT', KEYS[1], ARGV[1])
return 1`;

/** KEYS: code. → nil if unknown, else {1 for the one caller that consumed it, 0 for the rest; data}. */
const consumeCode = `
local data = redis.call('HGET', KEYS[1], 'data')
if not data then return false end
return {redis.call('HSETNX', KEYS[1], 'used', '1'), data}`;

/**
 * KEYS: session, index. ARGV: now. A session still alive (by the caller's clock) is kept and its
 * deadline returned, {0, expiresAt}; otherwise it is deleted (if TTL has not already done so) and
 * its index record returned, {1, flat list}, so its index entries can be pruned.
 */
const reapSession = `
local expiresAt = tonumber(redis.call('HGET', KEYS[1], 'expiresAt'))
if expiresAt ~= nil and expiresAt >= tonumber(ARGV[1]) then return {0, expiresAt} end
redis.call('DEL', KEYS[1])
return {1, redis.call('HGETALL', KEYS[2])}`;

/**
 * KEYS: index (sorted set of auth session ids), its counter (same slot). ARGV: id, limit,
 * expireAt ('' for never). Adds the id as the newest entry and removes the oldest beyond `limit`,
 * which it returns so the caller can delete those sessions.
 */
const indexAuthSession = `
local n = redis.call('INCR', KEYS[2])
redis.call('ZADD', KEYS[1], n, ARGV[1])
if ARGV[3] ~= '' then
  redis.call('EXPIREAT', KEYS[1], ARGV[3])
  redis.call('EXPIREAT', KEYS[2], ARGV[3])
end
local extra = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[2])
if extra <= 0 then return {} end
local evicted = redis.call('ZRANGE', KEYS[1], 0, extra - 1)
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, extra - 1)
return evicted`;

/**
 * Ephemeral records are plain keys holding `<expiresAt>|<value>`: the caller's clock decides
 * liveness (as on SQL), the TTL only clears them away.
 * KEYS: record. ARGV: now, stored, ttl → 1 when stored, 0 while an unexpired record holds the key.
 */
const putEphemeral = `
local current = redis.call('GET', KEYS[1])
if current then
  local bar = string.find(current, '|', 1, true)
  if tonumber(string.sub(current, 1, bar - 1)) >= tonumber(ARGV[1]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1`;

/** KEYS: record. ARGV: now, expected value, stored, ttl → 1 when replaced. */
const replaceEphemeral = `
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local bar = string.find(current, '|', 1, true)
if tonumber(string.sub(current, 1, bar - 1)) < tonumber(ARGV[1]) then return 0 end
if string.sub(current, bar + 1) ~= ARGV[2] then return 0 end
redis.call('SET', KEYS[1], ARGV[3], 'EX', ARGV[4])
return 1`;

/** KEYS: record → the stored string (deleted), or nil. */
const takeEphemeral = `
local current = redis.call('GET', KEYS[1])
if current then redis.call('DEL', KEYS[1]) end
return current`;

export interface SessionScripts {
  holdfastCreateSession(session: string, index: string, ...argv: Arg[]): Promise<number>;
  holdfastPutClientSession(session: string, index: string, ...argv: Arg[]): Promise<[string, string] | null>;
  holdfastRemoveClientSession(session: string, uuid: string): Promise<string | null>;
  holdfastDeleteSession(session: string, index: string): Promise<[number, string[]]>;
  holdfastTouchSession(session: string, index: string, ...argv: Arg[]): Promise<number>;
  holdfastUseRefreshToken(session: string, uuid: string, jti: string, issuedAt: number, now: number, maxReuse: number): Promise<RefreshTokenUseOutcome>;
  holdfastRecordLoginFailure(failure: string, atMs: number, ipAddress: string, resetAfterMs: number | ''): Promise<[string, string[]]>;
  holdfastLockLoginFailure(failure: string, notBefore: number, countLockout: number, maxLockouts: number | ''): Promise<string[] | null>;
  holdfastReleaseLoginAttempt(claim: string, holder: string): Promise<number>;
  holdfastPutCode(code: string, expiresAt: number, data: string): Promise<number>;
  holdfastConsumeCode(code: string): Promise<[number, string] | null>;
  holdfastReapSession(session: string, index: string, now: number): Promise<[0, number] | [1, string[]]>;
  holdfastIndexAuthSession(index: string, counter: string, id: string, limit: number, expireAt: number | ''): Promise<string[]>;
  holdfastPutEphemeral(record: string, now: number, stored: string, ttl: number): Promise<number>;
  holdfastReplaceEphemeral(record: string, now: number, expected: string, stored: string, ttl: number): Promise<number>;
  holdfastTakeEphemeral(record: string): Promise<string | null>;
}

const scripts: Record<keyof SessionScripts, { numberOfKeys: number; lua: string }> = {
  holdfastCreateSession: { numberOfKeys: 2, lua: createSession },
  holdfastPutClientSession: { numberOfKeys: 2, lua: putClientSession },
  holdfastRemoveClientSession: { numberOfKeys: 1, lua: removeClientSession },
  holdfastDeleteSession: { numberOfKeys: 2, lua: deleteSession },
  holdfastTouchSession: { numberOfKeys: 2, lua: touchSession },
  holdfastUseRefreshToken: { numberOfKeys: 1, lua: useRefreshToken },
  holdfastRecordLoginFailure: { numberOfKeys: 1, lua: recordLoginFailure },
  holdfastLockLoginFailure: { numberOfKeys: 1, lua: lockLoginFailure },
  holdfastReleaseLoginAttempt: { numberOfKeys: 1, lua: releaseLoginAttempt },
  holdfastPutCode: { numberOfKeys: 1, lua: putCode },
  holdfastConsumeCode: { numberOfKeys: 1, lua: consumeCode },
  holdfastReapSession: { numberOfKeys: 2, lua: reapSession },
  holdfastIndexAuthSession: { numberOfKeys: 2, lua: indexAuthSession },
  holdfastPutEphemeral: { numberOfKeys: 1, lua: putEphemeral },
  holdfastReplaceEphemeral: { numberOfKeys: 1, lua: replaceEphemeral },
  holdfastTakeEphemeral: { numberOfKeys: 1, lua: takeEphemeral },
};

export function defineSessionScripts(redis: Redis): Redis & SessionScripts {
  for (const [name, definition] of Object.entries(scripts)) redis.defineCommand(name, definition);
  return redis as Redis & SessionScripts;
}
