/**
 * How the PostgreSQL hosts stand, checked every 2 s on connections of its own (HostSurvey):
 * which host is the primary, which are read-only or unreachable, and whether the primary's
 * commits wait for a synchronous standby that does not confirm them.
 *
 * Two answers come out of it. Whether commits are **blocked**: `synchronous_standby_names` is
 * set, `synchronous_commit` makes commits wait, and no standby confirms (none connected as
 * `sync`/`quorum`, or commits have waited on `SyncRep` for 3 s or more, as when the standby is
 * cut off but not yet dropped, or fewer than the required number are connected). Then every
 * write hangs until its bound (bounded-query.ts) and answers 503, so the node is not ready and
 * says why; it is ready again by itself once the standby confirms or the operator changes
 * `synchronous_standby_names`.
 *
 * And, for a deployment over sites (a `--db-url` with more than one host), whether the promise
 * that an acknowledged write is in both sites holds: with `synchronous_standby_names` empty or
 * `synchronous_commit` below `on` it silently would not, so the node says so loudly at start and
 * whenever it changes. That does not make the node unready: after a failover the surviving site
 * runs without a standby until the old primary is rebuilt, and must keep serving.
 */
import { HostSurvey, type HostState, type PrimaryLocator, type PrimaryReplication } from '../store/sql/index.ts';
import type { ClusterLog } from './log.ts';

export interface ReplicationReport {
  /** An acknowledged write is confirmed by a synchronous standby. */
  synchronous: boolean;
  /** What was seen, for operators: the setting, the standbys and their states. */
  detail: string;
  /** Set while commits cannot complete: why, naming the missing standby. */
  blocked?: string;
  /** Each host of the URL: primary, read-only or unreachable (and why). */
  hosts: Array<Omit<HostState, 'replication'>>;
}

/** `on` and `remote_apply` wait for the standby to flush; `remote_write` waits for it to receive. */
const DURABLE_COMMIT = new Set(['on', 'remote_apply']);
const WAITING_COMMIT = new Set(['on', 'remote_apply', 'remote_write']);
/** A healthy standby confirms in milliseconds; this long on `SyncRep` means it does not. */
const BLOCKED_WAIT_SECONDS = 3;

/** The report for what the hosts said; `previous` is kept for what no primary could tell. */
export function judgeReplication(hosts: HostState[], previous?: ReplicationReport): ReplicationReport {
  const summary = hosts.map(({ replication: _, ...host }) => host);
  const primaries = hosts.filter((host) => host.role === 'primary');
  if (primaries.length === 0) return { synchronous: previous?.synchronous ?? false, detail: `no writable primary (${describeHosts(summary)})`, hosts: summary };
  const [primary] = primaries;
  const judged = judgePrimary(primary.name, primary.replication!);
  // Each of them takes writes: the operator's fencing did not happen. Said, never hidden.
  if (primaries.length > 1) judged.detail = `SPLIT BRAIN: ${primaries.map((host) => host.name).join(' and ')} all take writes; fence all but one. ${judged.detail}`;
  return { ...judged, hosts: summary };
}

function judgePrimary(name: string, { names, commit, standbys, sync, hidden, waiting, longestWaitSeconds }: PrimaryReplication): Omit<ReplicationReport, 'hosts'> {
  const seen = `primary ${name}: synchronous_standby_names='${names}', synchronous_commit=${commit}, ${standbys} standby(s) streaming, ${sync} synchronous, ${waiting} commit(s) waiting for a standby`;
  const configured = names.trim() !== '';
  if (configured && WAITING_COMMIT.has(commit) && ((sync === 0 && hidden === 0) || longestWaitSeconds >= BLOCKED_WAIT_SECONDS)) {
    const blocked =
      `commits on ${name} wait for the synchronous standby in synchronous_standby_names='${names}', which does not confirm them ` +
      `(${standbys} standby(s) streaming, ${sync} synchronous, ${waiting} commit(s) waiting for up to ${Math.round(longestWaitSeconds)} s): ` +
      `writes answer 503 until it is back or synchronous_standby_names is changed`;
    return { synchronous: false, detail: seen, blocked };
  }
  if (!configured) return { synchronous: false, detail: `no synchronous standby configured (${seen})` };
  if (!DURABLE_COMMIT.has(commit)) return { synchronous: false, detail: `commits do not wait for the standby to flush (${seen})` };
  if (sync === 0 && hidden > 0) return { synchronous: false, detail: `cannot see the standbys' state: grant pg_monitor to holdfast's database user (${seen})` };
  return { synchronous: true, detail: seen };
}

export function describeHosts(hosts: ReplicationReport['hosts']): string {
  return hosts.map((host) => `${host.name}: ${host.role}${host.detail ? ` (${host.detail})` : ''}`).join('; ');
}

/** Surveys at start and then periodically, logging whenever the answer turns bad or good again. */
export class ReplicationWatch {
  private latest: ReplicationReport | undefined;
  private timer: NodeJS.Timeout | undefined;
  private checking = false;
  private readonly survey: HostSurvey;

  constructor(
    locator: PrimaryLocator,
    private readonly log: ClusterLog,
    private readonly intervalMs = 2_000,
  ) {
    this.survey = new HostSurvey(locator);
    this.multiSite = locator.multiHost;
  }

  /** Only a deployment over sites promises a second copy; one host may well run alone. */
  readonly multiSite: boolean;

  get report(): ReplicationReport | undefined {
    return this.latest;
  }

  async start(): Promise<void> {
    await this.check();
    this.timer = setInterval(() => void this.check(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.survey.close();
  }

  private async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      const before = this.latest;
      const report = judgeReplication(await this.survey.survey(), before);
      this.latest = report;
      if (report.blocked && !before?.blocked) this.log.warn({ detail: report.blocked, hosts: describeHosts(report.hosts) }, 'COMMITS BLOCKED: the synchronous standby does not confirm; not ready, writes answer 503');
      else if (!report.blocked && before?.blocked) this.log.info({ detail: report.detail }, 'commits complete again');
      if (!this.multiSite) return;
      if (!report.synchronous && !report.blocked && (before === undefined || before.synchronous)) {
        this.log.warn({ detail: report.detail }, 'MULTI-SITE WITHOUT A SYNCHRONOUS STANDBY: an acknowledged write may exist in one site only and be lost with it');
      } else if (report.synchronous && before !== undefined && !before.synchronous) {
        this.log.info({ detail: report.detail }, 'a synchronous standby confirms every commit again');
      }
    } finally {
      this.checking = false;
    }
  }
}
