/**
 * Whether the primary waits for a synchronous standby before it acknowledges a commit. A
 * deployment over sites (a `--db-url` with more than one host) promises that an acknowledged
 * login, logout or revocation is in both sites; with `synchronous_standby_names` empty, no standby
 * connected as `sync`/`quorum`, or `synchronous_commit` below `on`, that promise silently would not
 * hold. So the node says so loudly at start and whenever it changes, and `/health/ready` carries
 * the latest answer in its details. It does not make the node unready: after a failover the
 * surviving site runs without a standby until the old primary is rebuilt, and must keep serving.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/sql/index.ts';
import type { ClusterLog } from './log.ts';

export interface ReplicationReport {
  synchronous: boolean;
  /** What was seen, for operators: the setting, the standbys and their states. */
  detail: string;
}

/** `on` and `remote_apply` wait for the standby to flush; `remote_write`, `local` and `off` do not. */
const DURABLE_COMMIT = new Set(['on', 'remote_apply']);

interface Row {
  names: string;
  commit: string;
  sync: number;
  standbys: number;
  hidden: number;
}

export async function checkReplication(db: Kysely<Database>): Promise<ReplicationReport> {
  const { rows } = await sql<Row>`SELECT current_setting('synchronous_standby_names') AS names, current_setting('synchronous_commit') AS commit,
      (SELECT count(*)::int FROM pg_stat_replication WHERE sync_state IN ('sync', 'quorum')) AS sync,
      (SELECT count(*)::int FROM pg_stat_replication) AS standbys,
      (SELECT count(*)::int FROM pg_stat_replication WHERE sync_state IS NULL) AS hidden`.execute(db);
  const { names, commit, sync, standbys, hidden } = rows[0];
  const seen = `synchronous_standby_names='${names}', synchronous_commit=${commit}, ${standbys} standby(s) streaming, ${sync} synchronous`;
  if (names.trim() === '') return { synchronous: false, detail: `no synchronous standby configured (${seen})` };
  if (!DURABLE_COMMIT.has(commit)) return { synchronous: false, detail: `commits do not wait for the standby to flush (${seen})` };
  if (sync === 0 && hidden > 0) return { synchronous: false, detail: `cannot see the standbys' state: grant pg_monitor to holdfast's database user (${seen})` };
  if (sync === 0) return { synchronous: false, detail: `no synchronous standby connected: commits wait until one is (${seen})` };
  return { synchronous: true, detail: seen };
}

/** Checks at start and then periodically, logging a warning whenever the answer turns bad. */
export class ReplicationWatch {
  private latest: ReplicationReport | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly log: ClusterLog,
    private readonly intervalMs = 5_000,
  ) {}

  get report(): ReplicationReport | undefined {
    return this.latest;
  }

  async start(): Promise<void> {
    await this.check();
    this.timer = setInterval(() => void this.check(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async check(): Promise<void> {
    let report: ReplicationReport;
    try {
      report = await checkReplication(this.db);
    } catch (error) {
      // The database is away: readiness already says so; keep the last answer.
      this.log.warn({ err: error }, 'could not check the synchronous standby');
      return;
    }
    const before = this.latest;
    this.latest = report;
    if (!report.synchronous && (before === undefined || before.synchronous)) {
      this.log.warn({ detail: report.detail }, 'MULTI-SITE WITHOUT A SYNCHRONOUS STANDBY: an acknowledged write may exist in one site only and be lost with it');
    } else if (report.synchronous && before !== undefined && !before.synchronous) {
      this.log.info({ detail: report.detail }, 'a synchronous standby confirms every commit again');
    }
  }
}
