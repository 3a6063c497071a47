/**
 * One password check at a time per user of a brute-force protected realm, cluster-wide, so that
 * reading the failure counters, checking the password and counting the failure happen as one
 * step: N concurrent guesses cannot all pass the lock check before the first one is counted,
 * on one node or many. Within a node, attempts for the same user wait in line (bounded); the head
 * of the line takes a claim in the shared store (SessionStore.claimLoginAttempt), polling briefly
 * while another node holds it. A claim is a lease, so a node that dies mid-check holds nobody up
 * for longer than the lease. Only one user's attempts are serialised; other users run in parallel.
 */
import type { Clock } from '../clock/index.ts';
import { newId } from '../crypto/index.ts';
import type { SessionStore } from './session-store.ts';

export interface LoginAttemptLimits {
  /** How long a claim lives if its holder never gives it back; longer than any one check (bounded hashing). */
  leaseMs: number;
  /** Attempts for one user waiting on this node; more are turned away at once. */
  maxWaiting: number;
  /** While another node holds the claim: how often to ask again, and how many times. */
  pollMs: number;
  maxPolls: number;
}

export const DEFAULT_LOGIN_ATTEMPT_LIMITS: LoginAttemptLimits = { leaseMs: 30_000, maxWaiting: 64, pollMs: 25, maxPolls: 400 };

/** The answer when the user's line is full or the claim did not come in time: nothing was checked. */
export const ATTEMPT_BUSY = 'attempt-busy';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class LoginAttempts {
  /** Per user on this node: the end of the line, and how many are in it. */
  private readonly lines = new Map<string, { tail: Promise<void>; length: number }>();

  constructor(
    private readonly store: SessionStore,
    private readonly clock: Clock,
    private readonly limits: LoginAttemptLimits = DEFAULT_LOGIN_ATTEMPT_LIMITS,
  ) {}

  /** Runs `check` alone among this user's attempts on every node. */
  async exclusive<T>(realmId: string, userId: string, check: () => Promise<T>): Promise<T | typeof ATTEMPT_BUSY> {
    const key = `${realmId}\u0000${userId}`;
    const line = this.lines.get(key) ?? { tail: Promise.resolve(), length: 0 };
    if (line.length >= this.limits.maxWaiting) return ATTEMPT_BUSY;
    this.lines.set(key, line);
    line.length += 1;
    const before = line.tail;
    let leave!: () => void;
    line.tail = new Promise((resolve) => (leave = resolve));
    try {
      await before;
      return await this.claimed(realmId, userId, check);
    } finally {
      leave();
      line.length -= 1;
      if (line.length === 0) this.lines.delete(key);
    }
  }

  private async claimed<T>(realmId: string, userId: string, check: () => Promise<T>): Promise<T | typeof ATTEMPT_BUSY> {
    const holder = newId();
    for (let poll = 0; ; poll += 1) {
      const nowMs = this.clock.nowMs();
      if (await this.store.claimLoginAttempt(realmId, userId, { holder, nowMs, untilMs: nowMs + this.limits.leaseMs })) break;
      if (poll >= this.limits.maxPolls) return ATTEMPT_BUSY;
      await sleep(this.limits.pollMs);
    }
    try {
      return await check();
    } finally {
      await this.store.releaseLoginAttempt(realmId, userId, holder);
    }
  }
}
