/**
 * Device codes and user codes in the session store's ephemeral records, so that they survive a
 * restart, are shared by every node and change state atomically (compare-and-set), and so that
 * a device code is redeemed exactly once. Keys carry only hashes: the store never holds a device
 * code, and a user code only as a hash of realm and code.
 *
 * A device code's record lives `interval + 10` seconds past its lifetime, as in Keycloak, so that
 * a device polling late is told `expired_token` rather than that its code is unknown.
 */
import type { Context } from '../../context.ts';
import { sha256Hex } from '../../crypto/index.ts';

export type DeviceCodeStatus = 'pending' | 'approved' | 'denied';

export interface DeviceCodeRecord {
  realmId: string;
  clientUuid: string;
  clientId: string;
  /** The `scope` the device asked for, as asked (the client's defaults are added at issue). */
  scope: string;
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod?: 'plain' | 'S256';
  /** When the device code stops being redeemable (seconds). */
  expiresAt: number;
  interval: number;
  /** Key of the user code's record, removed once the code is approved. */
  userCodeKey: string;
  status: DeviceCodeStatus;
  /** Set on approval: the session the tokens are issued from, and the level of its login. */
  userSessionId?: string;
  acr?: string;
}

/** A record as read: its key and raw value, for a later compare-and-set. */
export interface StoredDeviceCode {
  key: string;
  raw: string;
  record: DeviceCodeRecord;
}

const LINGER_SECONDS = 10;

export const deviceCodeKey = (deviceCode: string): string => `device-code:${sha256Hex(deviceCode)}`;
export const userCodeKey = (realmId: string, userCode: string): string => `device-user-code:${sha256Hex(`${realmId}:${userCode}`)}`;
const pollKey = (key: string): string => `device-poll:${key.slice('device-code:'.length)}`;

const storedUntil = (record: DeviceCodeRecord): number => record.expiresAt + record.interval + LINGER_SECONDS;

/** Stores a new device code and its user code; false when the user code is taken (the caller draws another). */
export async function putDeviceCode(ctx: Context, deviceCode: string, record: DeviceCodeRecord): Promise<boolean> {
  const now = ctx.sessions.now();
  const key = deviceCodeKey(deviceCode);
  if (!(await ctx.store.putEphemeral(record.userCodeKey, key, storedUntil(record), now))) return false;
  if (await ctx.store.putEphemeral(key, JSON.stringify(record), storedUntil(record), now)) return true;
  // A device code is 32 random bytes: a clash means a broken random source, never a retry.
  await ctx.store.deleteEphemeral(record.userCodeKey);
  throw new Error('device code collision');
}

async function read(ctx: Context, key: string): Promise<StoredDeviceCode | undefined> {
  const raw = await ctx.store.getEphemeral(key, ctx.sessions.now());
  if (raw === undefined) return undefined;
  return { key, raw, record: JSON.parse(raw) as DeviceCodeRecord };
}

export function findByDeviceCode(ctx: Context, deviceCode: string): Promise<StoredDeviceCode | undefined> {
  return read(ctx, deviceCodeKey(deviceCode));
}

/** The device code a user code stands for, by the user code's key. */
export async function findByUserCodeKey(ctx: Context, key: string): Promise<StoredDeviceCode | undefined> {
  const deviceKey = await ctx.store.getEphemeral(key, ctx.sessions.now());
  return deviceKey === undefined ? undefined : read(ctx, deviceKey);
}

/** Moves a pending code to approved or denied, unless it changed (or went) since it was read. */
export async function settleDeviceCode(ctx: Context, stored: StoredDeviceCode, change: Pick<DeviceCodeRecord, 'status' | 'userSessionId' | 'acr'>): Promise<boolean> {
  if (stored.record.status !== 'pending') return false;
  const next: DeviceCodeRecord = { ...stored.record, ...change };
  const settled = await ctx.store.replaceEphemeral(stored.key, stored.raw, JSON.stringify(next), storedUntil(next), ctx.sessions.now());
  if (settled && change.status === 'approved') await ctx.store.deleteEphemeral(stored.record.userCodeKey);
  return settled;
}

/** Removes an approved code for redemption: of concurrent redeemers exactly one gets true. */
export async function redeemDeviceCode(ctx: Context, stored: StoredDeviceCode): Promise<boolean> {
  return (await ctx.store.takeEphemeral(stored.key, ctx.sessions.now())) === stored.raw;
}

/**
 * Notes a poll; false when the previous one was less than `interval` seconds ago (`slow_down`).
 * The note lives until just before the next poll is due.
 */
export function notePoll(ctx: Context, stored: StoredDeviceCode): Promise<boolean> {
  const now = ctx.sessions.now();
  return ctx.store.putEphemeral(pollKey(stored.key), '1', now + stored.record.interval - 1, now);
}
