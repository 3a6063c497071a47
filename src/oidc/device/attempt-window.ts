/**
 * Counts attempts per key in fixed windows, in the session store's ephemeral records, so that a
 * bound holds across nodes and restarts: wrong user codes per client network (guessing) and new
 * device codes per client (storage). A count is one small record that expires with its window;
 * it changes by compare-and-set, retried a bounded number of times under contention (where the
 * attempt is refused: a bound must not give way under load).
 */
import type { Context } from '../../context.ts';

interface Window {
  count: number;
  until: number;
}

const MAX_RACES = 8;

export interface AttemptLimit {
  limit: number;
  windowSeconds: number;
}

/** Whether `key` has used up its window's attempts, without counting one. */
export async function attemptsExhausted(ctx: Context, key: string, { limit }: AttemptLimit): Promise<boolean> {
  const current = await ctx.store.getEphemeral(key, ctx.sessions.now());
  return current !== undefined && (JSON.parse(current) as Window).count >= limit;
}

/** Counts one attempt; false (and nothing counted) when the window's attempts are used up. */
export async function countAttempt(ctx: Context, key: string, { limit, windowSeconds }: AttemptLimit): Promise<boolean> {
  const now = ctx.sessions.now();
  for (let race = 0; race < MAX_RACES; race++) {
    const current = await ctx.store.getEphemeral(key, now);
    if (current === undefined) {
      const first: Window = { count: 1, until: now + windowSeconds - 1 };
      if (await ctx.store.putEphemeral(key, JSON.stringify(first), first.until, now)) return true;
      continue;
    }
    const window = JSON.parse(current) as Window;
    if (window.count >= limit) return false;
    if (await ctx.store.replaceEphemeral(key, current, JSON.stringify({ ...window, count: window.count + 1 }), window.until, now)) return true;
  }
  return false;
}
