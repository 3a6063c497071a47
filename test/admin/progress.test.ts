/**
 * The import/export progress display: a bar redrawn in place with rate and ETA on a terminal,
 * one plain line per tenth in logs and pipes, and a closing summary either way.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createProgress, formatDuration, progressFigures } from '../../src/cli/progress.ts';

function fakeStream(isTTY: boolean) {
  const chunks: string[] = [];
  return { stream: { isTTY, write: (chunk: string) => chunks.push(chunk) } as unknown as NodeJS.WriteStream, chunks };
}

describe('import progress', () => {
  it('computes percent, rate and time left', () => {
    assert.deepEqual(progressFigures(25_000, 100_000, 5_000), { percent: 25, rate: 5_000, etaMs: 15_000 });
    assert.equal(progressFigures(0, 100, 0).etaMs, Infinity);
    assert.equal(progressFigures(0, 0, 10).percent, 100);
    assert.deepEqual([formatDuration(15_000), formatDuration(125_000), formatDuration(Infinity)], ['15s', '2m05s', '?']);
  });

  it('prints one plain line per tenth when not on a terminal', () => {
    const { stream, chunks } = fakeStream(false);
    let now = 0;
    const progress = createProgress({ label: 'import shop', unit: 'users', stream, nowMs: () => now });
    for (let done = 0; done <= 100_000; done += 5_000) {
      now += 500;
      progress.update(done, 100_000);
    }
    progress.finish('imported');
    assert.equal(chunks.length, 12);
    assert.equal(chunks[5], 'import shop: 50% 50,000/100,000 users  9,091 users/s  ETA 5s\n');
    assert.ok(chunks.every((c) => c.endsWith('\n') && !c.includes('\r')));
    assert.equal(chunks.at(-1), 'import shop: imported in 11s\n');
  });

  it('redraws a bar in place on a terminal, at most ten times a second', () => {
    const { stream, chunks } = fakeStream(true);
    let now = 0;
    const progress = createProgress({ label: 'import', unit: 'users', stream, nowMs: () => now });
    progress.update(10, 100);
    now += 50;
    progress.update(20, 100);
    now += 200;
    progress.update(50, 100);
    progress.update(100, 100);
    assert.equal(chunks.length, 3);
    assert.ok(chunks.every((c) => c.startsWith('\r')));
    assert.match(chunks[1], /^\rimport \[#{15}\.{15}\]  50% {2}50\/100 users {2}200 users\/s {2}ETA 0s/);
    progress.finish('done');
    assert.match(chunks.at(-1)!, /^\r\x1b\[Kimport: done in 0s\n$/);
  });
});
