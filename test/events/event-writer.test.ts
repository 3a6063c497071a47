/**
 * The parts of events that requests never wait for, with a real SQLite store: the writer's bound
 * (a full queue drops and counts, never blocks), its batches (one flush writes them all) and its
 * flush on close (nothing queued is lost at shutdown); and the log lines of the jboss-logging
 * listener: a failed login is an info line even when the realm stores no events, a success is not.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { Registry } from 'prom-client';
import { systemClock } from '../../src/clock/index.ts';
import { EventRecorder, EventWriter, type UserEvent } from '../../src/events/index.ts';
import { DEFAULT_REALM_SETTINGS, type LoadedRealm } from '../../src/realm/index.ts';
import { SqlEventStore, openSqlDatabase, type SqlDatabase } from '../../src/store/sql/index.ts';

const event = (id: string): UserEvent => ({ id, time: Date.now(), type: 'LOGIN', realmId: 'r1' });
const query = { types: [], first: 0, max: 100, ascending: true };

describe('event writer and log lines', () => {
  let database: SqlDatabase;
  let store: SqlEventStore;

  before(async () => {
    database = await openSqlDatabase({ dialect: 'sqlite', dataDir: ':memory:' });
    store = new SqlEventStore(database.db);
  });
  after(async () => {
    await database?.close();
  });

  it('drops and counts past its bound, writes what it holds in one flush, and flushes on close', async () => {
    let dropped = 0;
    const writer = new EventWriter({ store, flushMs: 60_000, batchSize: 100, maxQueued: 3, onDropped: (n) => (dropped += n), onError: (error) => assert.fail(String(error)) });
    for (const id of ['a', 'b', 'c', 'd']) writer.addUserEvent(event(id));
    assert.equal(dropped, 1);
    assert.equal(writer.queued, 3);
    assert.deepEqual(await store.findEvents('r1', query), [], 'nothing is written on the request path');
    await writer.close();
    assert.deepEqual((await store.findEvents('r1', query)).map((e) => e.id).sort(), ['a', 'b', 'c']);
    writer.addUserEvent(event('late'));
    assert.equal(dropped, 2, 'a closed writer takes nothing');
    await store.clearEvents('r1');
  });

  it('writes a full batch without waiting for the timer', async () => {
    const writer = new EventWriter({ store, flushMs: 60_000, batchSize: 5, maxQueued: 100, onDropped: () => assert.fail('dropped'), onError: (error) => assert.fail(String(error)) });
    for (let i = 0; i < 5; i++) writer.addUserEvent(event(`batch-${i}`));
    for (let i = 0; i < 100 && (await store.findEvents('r1', query)).length < 5; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal((await store.findEvents('r1', query)).length, 5);
    await writer.close();
  });

  it('logs a failed login at info with storage off, and no success at info', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    const writer = new EventWriter({ store, flushMs: 60_000, batchSize: 100, maxQueued: 100, onDropped: () => {}, onError: () => {} });
    const recorder = new EventRecorder(writer, log, systemClock, new Registry());
    const realm = { realm: { id: 'r2', name: 'shop', settings: { ...DEFAULT_REALM_SETTINGS } } } as unknown as LoadedRealm;
    recorder.user(realm, 'LOGIN', '10.1.2.3').client('app').detail('username', 'mallory').error('invalid_user_credentials');
    recorder.user(realm, 'REFRESH_TOKEN', '10.1.2.3').client('app').success();
    assert.equal(lines.length, 1);
    const line = JSON.parse(lines[0]);
    assert.equal(line.level, 30);
    assert.equal(line.msg, 'user event LOGIN_ERROR');
    assert.deepEqual([line.event.realm, line.event.clientId, line.event.error, line.event.ipAddress, line.event.details.username], ['shop', 'app', 'invalid_user_credentials', '10.1.2.3', 'mallory']);
    assert.equal(writer.queued, 0, 'nothing stored while eventsEnabled is off');
    const silent = { realm: { id: 'r3', name: 'quiet', settings: { ...DEFAULT_REALM_SETTINGS, eventsListeners: [] } } } as unknown as LoadedRealm;
    recorder.user(silent, 'LOGIN', '10.1.2.3').error('invalid_user_credentials');
    assert.equal(lines.length, 1, 'no listener, no line');
  });
});
