/**
 * A PostgreSQL server of the test's own (initdb + pg_ctl from the machine's binaries, trust auth,
 * a free loopback port, a temporary data directory), for tests that stop, kill and restart the
 * database: the shared server on 5432 is never touched. When the tests run as root the server
 * runs as the `postgres` system user, since PostgreSQL refuses to run as root.
 *
 * For multi-site tests a server can get a streaming standby of its own (pg_basebackup -R), made
 * synchronous, killed with SIGKILL as a lost site would be, and promoted.
 */
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './process.ts';

const run = promisify(execFile);

/** The newest installed server's bin directory, or undefined. */
export function postgresBinaries(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return undefined;
  const versions = fs
    .readdirSync(root)
    .filter((version) => fs.existsSync(path.join(root, version, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? path.join(root, versions[0], 'bin') : undefined;
}

export class PrivatePostgres {
  readonly url: string;
  private readonly asUser: string[];
  private running = false;
  /** Last resort (synchronous): a test that failed half-way must not leave a server running. */
  private readonly killOnExit = (): void => {
    if (!this.running) return;
    const [command, ...rest] = [...this.asUser, path.join(this.bin, 'pg_ctl'), '-D', this.dataDir, '-m', 'immediate', '-w', 'stop'];
    spawnSync(command, rest, { stdio: 'ignore', timeout: 30_000 });
    fs.rmSync(this.dir, { recursive: true, force: true });
  };

  private constructor(
    private readonly bin: string,
    readonly dir: string,
    readonly port: number,
  ) {
    this.url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    this.asUser = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
    process.once('exit', this.killOnExit);
  }

  /** Initialises a fresh cluster (fsync on: acknowledged commits must survive an immediate stop) and starts it. */
  static async create(): Promise<PrivatePostgres> {
    const server = await PrivatePostgres.empty();
    await server.exec('initdb', ['-D', server.dataDir, '-U', 'postgres', '--auth=trust', '--no-instructions', '-E', 'UTF8']);
    server.configure([]);
    await server.start();
    return server;
  }

  private static async empty(): Promise<PrivatePostgres> {
    const bin = postgresBinaries();
    if (!bin) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'holdfast-pg-'));
    const server = new PrivatePostgres(bin, dir, await freePort());
    if (server.asUser.length > 0) fs.chownSync(dir, ...server.postgresIds());
    return server;
  }

  /** Settings of this server; later lines win, so a standby's override those copied from its primary. */
  private configure(extra: string[]): void {
    fs.appendFileSync(
      path.join(this.dataDir, 'postgresql.conf'),
      [`port = ${this.port}`, "listen_addresses = '127.0.0.1'", `unix_socket_directories = '${this.dir}'`, 'max_connections = 60', 'shared_buffers = 16MB', ...extra, ''].join('\n'),
    );
  }

  /**
   * A streaming standby of this server, started: a base backup with the recovery settings
   * (`-R`), known to this primary as `name` (its `cluster_name`, which the WAL receiver reports).
   */
  async createStandby(name: string): Promise<PrivatePostgres> {
    const standby = await PrivatePostgres.empty();
    await standby.exec('pg_basebackup', ['-h', '127.0.0.1', '-p', String(this.port), '-U', 'postgres', '-D', standby.dataDir, '-R', '-X', 'stream', '-c', 'fast']);
    standby.configure([`cluster_name = '${name}'`]);
    await standby.start();
    return standby;
  }

  /** Makes commits wait for `standby` (synchronous_standby_names), as a multi-site primary runs. */
  async requireSynchronous(standby: string): Promise<void> {
    await this.query(`ALTER SYSTEM SET synchronous_standby_names = '${standby}'`);
    await this.query('SELECT pg_reload_conf()');
  }

  /** One statement on the `postgres` database, for set-up and checks. */
  async query<R extends pg.QueryResultRow = Record<string, unknown>>(text: string): Promise<R[]> {
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 5_000 });
    await client.connect();
    try {
      return (await client.query<R>(text)).rows;
    } finally {
      await client.end();
    }
  }

  /**
   * SIGKILL to the postmaster and every process it started: the server is gone as with a lost
   * machine. Resolves once they have all exited, so the server can be started again at once.
   */
  async kill(): Promise<void> {
    if (!this.running) return;
    const postmaster = Number(fs.readFileSync(path.join(this.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const children = fs
      .readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .filter((pid) => {
        try {
          return Number(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]) === postmaster;
        } catch {
          return false;
        }
      });
    const pids = [postmaster, ...children.map(Number)];
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    this.running = false;
    const deadline = Date.now() + 10_000;
    while (pids.some((pid) => fs.existsSync(`/proc/${pid}`)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  /** A standby becomes a primary (`pg_ctl promote`, waiting until it accepts writes). */
  async promote(): Promise<void> {
    await this.exec('pg_ctl', ['-D', this.dataDir, '-w', '-t', '30', 'promote']);
  }

  /** The server binaries' directory (pg_ctl, pg_basebackup), for commands printed to an operator. */
  get binDir(): string {
    return this.bin;
  }

  private get dataDir(): string {
    return path.join(this.dir, 'data');
  }

  private postgresIds(): [number, number] {
    const line = fs
      .readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith('postgres:'));
    if (!line) throw new Error('running as root needs a postgres system user');
    const [, , uid, gid] = line.split(':');
    return [Number(uid), Number(gid)];
  }

  private async exec(tool: string, args: string[]): Promise<void> {
    const [command, ...rest] = [...this.asUser, path.join(this.bin, tool), ...args];
    await run(command, rest, { timeout: 60_000 });
  }

  async start(): Promise<void> {
    await this.exec('pg_ctl', ['-D', this.dataDir, '-l', path.join(this.dir, 'server.log'), '-w', '-t', '30', 'start']);
    this.running = true;
  }

  /** `immediate` is a crash as far as clients see it: connections are cut, nothing is waited for. */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    if (!this.running) return;
    await this.exec('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', '-t', '30', 'stop']);
    this.running = false;
  }

  /** A database of its own on this server. */
  async createDatabase(name: string): Promise<string> {
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 5_000 });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${name}`);
    } finally {
      await client.end();
    }
    return `postgres://postgres@127.0.0.1:${this.port}/${name}`;
  }

  async dispose(): Promise<void> {
    await this.stop('immediate').catch(() => undefined);
    process.off('exit', this.killOnExit);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
