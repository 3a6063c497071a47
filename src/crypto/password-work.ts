/**
 * Schedules password verifications so that one realm cannot starve the others. Hashing runs on
 * libuv's thread pool (4 threads unless UV_THREADPOOL_SIZE says otherwise), which the whole
 * process shares with file and DNS work, and libuv serves it first come, first served: a realm
 * whose users hash slowly, or an attacker hammering one user, would otherwise occupy every
 * thread and stall every realm's logins. Here each realm gets a lane with its own concurrency cap
 * below the global one, lanes take turns, argon2 memory in flight has a global budget, and a lane
 * whose queue is full answers at once (`busy`) instead of piling requests up.
 */
import { passwordHashCost } from './password-bounds.ts';
import { verifyPassword, type PasswordHash } from './password.ts';

export interface PasswordWorkLimits {
  /** Verifications in flight at once, all realms together. */
  concurrency: number;
  /** Verifications in flight at once for one realm: below `concurrency`, so another realm always finds a thread. */
  perRealmConcurrency: number;
  /** Verifications of one realm waiting for a thread; more are answered `busy`. */
  perRealmQueue: number;
  /** Argon2 memory of the verifications in flight, KiB. */
  argon2MemoryKiB: number;
}

/** Leaves one pool thread for files and DNS, and one hashing thread for other realms. */
function defaultPasswordWorkLimits(threadPoolSize = Number(process.env.UV_THREADPOOL_SIZE) || 4): PasswordWorkLimits {
  const concurrency = Math.max(2, threadPoolSize - 1);
  return { concurrency, perRealmConcurrency: concurrency - 1, perRealmQueue: 32, argon2MemoryKiB: 131_072 };
}

/** The answer when a realm already has as much hashing waiting as it may. */
export const BUSY = 'busy';

interface Job {
  memoryKiB: number;
  start: () => void;
}
interface Lane {
  running: number;
  waiting: Job[];
}

export class PasswordWork {
  private readonly lanes = new Map<string, Lane>();
  /** Realms with work waiting, in the order they get their next turn. */
  private turns: string[] = [];
  private running = 0;
  private memoryInUseKiB = 0;

  constructor(readonly limits: PasswordWorkLimits = defaultPasswordWorkLimits()) {}

  /** Verifies in `realmId`'s lane; `busy` when the lane's queue is full (nothing was hashed). */
  async verify(realmId: string, password: string, stored: PasswordHash): Promise<boolean | typeof BUSY> {
    const checked = passwordHashCost(stored);
    if ('problem' in checked) return false;
    const memoryKiB = checked.cost.kind === 'argon2' ? checked.cost.memoryKiB : 0;
    const done = await this.admit(realmId, memoryKiB);
    if (done === undefined) return BUSY;
    try {
      return await verifyPassword(password, stored);
    } finally {
      done();
    }
  }

  /** Verifications running and waiting now (metrics, tests). */
  load(): { running: number; waiting: number } {
    let waiting = 0;
    for (const lane of this.lanes.values()) waiting += lane.waiting.length;
    return { running: this.running, waiting };
  }

  private admit(realmId: string, memoryKiB: number): Promise<(() => void) | undefined> {
    const lane = this.lanes.get(realmId) ?? { running: 0, waiting: [] };
    if (lane.waiting.length >= this.limits.perRealmQueue) return Promise.resolve(undefined);
    this.lanes.set(realmId, lane);
    return new Promise((resolve) => {
      lane.waiting.push({ memoryKiB, start: () => resolve(() => this.finish(realmId, lane, memoryKiB)) });
      if (!this.turns.includes(realmId)) this.turns.push(realmId);
      this.dispatch();
    });
  }

  private finish(realmId: string, lane: Lane, memoryKiB: number): void {
    lane.running -= 1;
    this.running -= 1;
    this.memoryInUseKiB -= memoryKiB;
    if (lane.running === 0 && lane.waiting.length === 0) this.lanes.delete(realmId);
    this.dispatch();
  }

  /** Starts waiting work while threads and memory allow, one job per realm per turn. */
  private dispatch(): void {
    while (this.running < this.limits.concurrency) {
      const index = this.turns.findIndex((realmId) => {
        const lane = this.lanes.get(realmId)!;
        const memory = lane.waiting[0].memoryKiB;
        // A job alone may always run: the bounds keep any one job well under the budget.
        const fits = this.memoryInUseKiB === 0 || this.memoryInUseKiB + memory <= this.limits.argon2MemoryKiB;
        return lane.running < this.limits.perRealmConcurrency && fits;
      });
      if (index < 0) return;
      const realmId = this.turns[index];
      const lane = this.lanes.get(realmId)!;
      const job = lane.waiting.shift()!;
      this.turns.splice(index, 1);
      if (lane.waiting.length > 0) this.turns.push(realmId);
      lane.running += 1;
      this.running += 1;
      this.memoryInUseKiB += job.memoryKiB;
      job.start();
    }
  }
}
