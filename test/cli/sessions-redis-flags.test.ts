/**
 * `--sessions-url redis+sentinel://…` and the WAIT flags at the edge: what is accepted, what it
 * means, and that anything holdfast cannot honour is refused at start with one clear line
 * (in-process: parsing is all there is to check).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseConfig, parseRedisAddress } from '../../src/config/index.ts';

const redis = (...flags: string[]) => parseConfig(['--sessions', 'redis', ...flags], {});

describe('--sessions-url with Sentinel and the WAIT flags', () => {
  it('reads every Sentinel, the master name and the master\'s credentials', () => {
    assert.deepEqual(parseRedisAddress('redis+sentinel://s1.site-a:26379,s2.site-b:26380,[::1]/holdfast'), {
      kind: 'sentinel',
      sentinels: [
        { host: 's1.site-a', port: 26379 },
        { host: 's2.site-b', port: 26380 },
        { host: '::1', port: 26379 },
      ],
      masterName: 'holdfast',
    });
    assert.deepEqual(parseRedisAddress('redis+sentinel://app:p%40ss@10.0.0.1:26379/m1'), {
      kind: 'sentinel',
      sentinels: [{ host: '10.0.0.1', port: 26379 }],
      masterName: 'm1',
      username: 'app',
      password: 'p@ss',
    });
    assert.deepEqual(parseRedisAddress('valkey://cache:6379'), { kind: 'server', url: 'redis://cache:6379' });
    const config = redis('--sessions-url', 'redis+sentinel://a:26379,b:26379,c:26379/holdfast', '--sessions-redis-wait-replicas', '1', '--sessions-redis-wait-timeout', '250');
    assert.deepEqual([config.sessionsWaitReplicas, config.sessionsWaitTimeoutMs], [1, 250]);
    assert.deepEqual([redis('--sessions-url', 'redis://r').sessionsWaitReplicas, redis('--sessions-url', 'redis://r').sessionsWaitTimeoutMs], [0, 500]);
  });

  it('refuses what it cannot honour with one line', () => {
    for (const [flags, message] of [
      [['--sessions-url', 'redis+sentinel://a:26379,b:26379'], /needs the master name/],
      [['--sessions-url', 'redis+sentinel:///holdfast'], /expected 1 to 16 Sentinel hosts/],
      [['--sessions-url', 'redis+sentinel://a:26379,,b/holdfast'], /not a Sentinel host:port: ''/],
      [['--sessions-url', 'redis+sentinel://a:99999/holdfast'], /Sentinel port out of range/],
      [['--sessions-url', 'redis+sentinel://a/holdfast?db=2'], /takes no query/],
      [['--sessions-url', 'redis+sentinel://a/bad name'], /expected a master name/],
      [['--sessions-url', 'http://cache:6379'], /expected redis:\/\/, rediss:\/\/, valkey:\/\/ or redis\+sentinel:\/\//],
      [['--sessions-url', 'redis://r', '--sessions-redis-wait-replicas', 'two'], /--sessions-redis-wait-replicas: expected an integer/],
      [['--sessions-url', 'redis://r', '--sessions-redis-wait-replicas', '101'], /must be between 0 and 100/],
      // WAIT 0 would block for ever: a timeout is a bound or nothing.
      [['--sessions-url', 'redis://r', '--sessions-redis-wait-timeout', '0'], /--sessions-redis-wait-timeout: must be between 1 and 60000/],
    ] as Array<[string[], RegExp]>) {
      assert.throws(() => redis(...flags), (error: unknown) => error instanceof ConfigError && message.test(error.message), flags.join(' '));
    }
    assert.throws(() => parseConfig(['--sessions-redis-wait-replicas', '1'], {}), /apply to --sessions redis only/);
  });
});
