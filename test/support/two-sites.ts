/**
 * Two sites on PostgreSQL for the multi-site tests (issue 16): a private primary in site A, its
 * synchronous standby in site B (`pg_basebackup -R`, `synchronous_standby_names`), and two
 * holdfast processes per site, each given both hosts in one `--db-url` with its own site's first
 * and one issuer for all four, as behind one global name. `dispose()` kills and removes all of it,
 * whatever was started before a failure.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PrivatePostgres } from './private-postgres.ts';
import { buildBundle, freePort, startHoldfast, tempDir, writeKekFile, type RunningHoldfast } from './process.ts';
import { until } from './redis-server.ts';

export interface TwoSitesOptions {
  /** The database both sites use. */
  database: string;
  /** More flags for every node. */
  args?: string[];
  /** Run on the first node before the other three start (they then start on a ready schema). */
  afterFirstNode?: (node: RunningHoldfast) => Promise<void>;
}

export class TwoSites {
  primary!: PrivatePostgres;
  standby!: PrivatePostgres;
  readonly siteA: RunningHoldfast[] = [];
  readonly siteB: RunningHoldfast[] = [];
  private readonly dataDir = tempDir();
  private bundle: string | undefined;

  /** Standbys that confirm the primary's commits now. */
  async synchronousStandbys(): Promise<number> {
    return (await this.primary.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_replication WHERE sync_state = 'sync'"))[0].n;
  }

  async start({ database, args = [], afterFirstNode }: TwoSitesOptions): Promise<void> {
    [this.primary, this.bundle] = await Promise.all([PrivatePostgres.create(), buildBundle()]);
    await this.primary.createDatabase(database);
    this.standby = await this.primary.createStandby('site_b');
    await this.primary.requireSynchronous('site_b');
    await until('the standby confirms commits', async () => (await this.synchronousStandbys()) === 1, 30_000);

    const hosts = (first: PrivatePostgres, second: PrivatePostgres) => `postgres://postgres@127.0.0.1:${first.port},127.0.0.1:${second.port}/${database}?target_session_attrs=read-write`;
    const ports = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const hostname = `http://127.0.0.1:${ports[0]}`;
    const kek = writeKekFile(this.dataDir);
    const start = (index: number, url: string) =>
      startHoldfast({
        dataDir: this.dataDir,
        port: ports[index],
        bundle: this.bundle,
        args: ['--db', 'postgres', '--db-url', url, '--db-pool-size', '4', '--node-route', `n${index}`, '--hostname', hostname, '--kek-file', kek, ...args],
      });
    // The first node migrates and seeds; the others start together on the ready schema.
    this.siteA.push(await start(0, hosts(this.primary, this.standby)));
    await afterFirstNode?.(this.siteA[0]);
    const [a1, b0, b1] = await Promise.all([start(1, hosts(this.primary, this.standby)), start(2, hosts(this.standby, this.primary)), start(3, hosts(this.standby, this.primary))]);
    this.siteA.push(a1);
    this.siteB.push(b0, b1);
  }

  async dispose(): Promise<void> {
    for (const node of [...this.siteA, ...this.siteB]) await node.stop('SIGKILL');
    await this.standby?.dispose();
    await this.primary?.dispose();
    fs.rmSync(this.dataDir, { recursive: true, force: true });
    if (this.bundle) fs.rmSync(path.dirname(this.bundle), { recursive: true, force: true });
  }
}
