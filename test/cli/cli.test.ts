/**
 * The command line as an operator meets it: `--version`, `--help` for every command listing every
 * flag of the flag table with its variable, "did you mean" for typos, the configuration file and
 * its precedence (flag > variable > file > default, as Keycloak's), and `show-config` masking
 * secrets. Commands are spawned; precedence is also checked in-process, where it is cheap.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { COMMANDS, ConfigError, SERVER_FLAGS, commandFlags, envName, parseConfig } from '../../src/config/index.ts';
import { ROOT, tempDir } from '../support/process.ts';

const packageVersion = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;

function holdfast(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/main.ts'), ...args], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
}

function configFile(lines: string[]): string {
  const file = path.join(tempDir(), 'holdfast.conf');
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

describe('command line', () => {
  it('prints its version', () => {
    const result = holdfast(['--version']);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout.trim(), `holdfast ${packageVersion}`);
  });

  it('lists every command, and every flag of each command with its variable and default', () => {
    const main = holdfast(['--help']);
    assert.equal(main.status, 0, main.stderr);
    for (const command of Object.keys(COMMANDS)) assert.match(main.stdout, new RegExp(`^  ${command} `, 'm'));
    for (const command of Object.keys(COMMANDS)) {
      const result = holdfast([command, '--help']);
      assert.equal(result.status, 0, `${command}: ${result.stderr}`);
      assert.equal(result.stderr, '');
      for (const [name, spec] of Object.entries(commandFlags(command))) {
        assert.match(result.stdout, new RegExp(`^  --${name}[ [].*\\n      ${spec.description.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'), `${command} --help lacks --${name}`);
        if (spec.default !== undefined) assert.ok(result.stdout.includes(`default ${spec.default}`), `${command} --help lacks the default of --${name}`);
      }
      // migrate-store names both stores in its own flags and reads no server flag.
      if (COMMANDS[command].serverFlags) for (const name of Object.keys(SERVER_FLAGS)) assert.ok(result.stdout.includes(`env ${envName(name)}`), `${command} --help lacks ${envName(name)}`);
    }
    assert.equal(holdfast(['help', 'export']).stdout, holdfast(['export', '-h']).stdout);
  });

  it('refuses unknown flags and commands with the nearest known name', () => {
    for (const [args, message] of [
      [['start', '--http-prot', '8081'], "holdfast: Unknown option '--http-prot' (did you mean --http-port?)"],
      [['start-dev', '--db-ulr=postgres://x'], "holdfast: Unknown option '--db-ulr' (did you mean --db-url?)"],
      [['export', '--realms', 'demo', '--file', 'x.json'], "holdfast: Unknown option '--realms' (did you mean --realm?)"],
      [['start', '--frobnicate'], "holdfast: Unknown option '--frobnicate'"],
      [['strat'], "holdfast: unknown command 'strat' (did you mean start?)"],
    ] as Array<[string[], string]>) {
      const result = holdfast(args);
      assert.equal(result.status, 2, args.join(' '));
      assert.equal(result.stderr.split('\n')[0], message);
    }
  });

  it('takes a flag over its variable, the variable over the file, the file over the default', () => {
    const file = configFile(['# a comment', '', 'http-port = 1111', 'log-level=debug', 'cache-size=77', 'route-cookie=false']);
    const base = ['--config-file', file];
    const config = parseConfig([...base, '--http-port', '3333'], { HOLDFAST_HTTP_PORT: '2222', HOLDFAST_LOG_LEVEL: 'warn' });
    assert.equal(config.httpPort, 3333);
    assert.equal(config.logLevel, 'warn');
    assert.equal(config.cacheSize, 77);
    assert.equal(config.routeCookie, false);
    assert.equal(parseConfig(base, { HOLDFAST_HTTP_PORT: '2222' }).httpPort, 2222);
    assert.equal(parseConfig(base, {}).httpPort, 1111);
    assert.equal(parseConfig([], { HOLDFAST_CONFIG_FILE: file }).httpPort, 1111);
    assert.equal(parseConfig(['--config-file', configFile(['# nothing set'])], {}).httpPort, 8080);
  });

  it('refuses a configuration file it cannot honour, naming the line', () => {
    const cases: Array<[string[], RegExp]> = [
      [['http-prot=1'], /holdfast\.conf:1: unknown key 'http-prot' \(did you mean http-port\?\)/],
      [['db=sqlite', 'db=postgres'], /holdfast\.conf:2: 'db' is set twice/],
      [['just words'], /holdfast\.conf:1: expected key=value/],
      [['http-port=eighty'], /--http-port: expected an integer, got 'eighty'/],
    ];
    for (const [lines, message] of cases) assert.throws(() => parseConfig(['--config-file', configFile(lines)], {}), (error: Error) => error instanceof ConfigError && message.test(error.message), lines.join(' / '));
    assert.throws(() => parseConfig(['--config-file', '/nonexistent/holdfast.conf'], {}), /--config-file: cannot read '\/nonexistent\/holdfast.conf': ENOENT/);
  });

  it('shows the configuration with each source, secrets masked', () => {
    const file = configFile(['db=postgres', 'db-url=postgres://holdfast:file-secret@db.example/holdfast', 'http-port=1111']);
    const result = holdfast(['show-config', '--config-file', file, '--http-port', '3333'], { HOLDFAST_SESSIONS: 'redis', HOLDFAST_SESSIONS_URL: 'redis://:redis-secret@cache:6379', HOLDFAST_KEK: 'kek-secret-value' });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^  http-port = 3333  \(--http-port\)$/m);
    assert.match(result.stdout, /^  db = postgres  \(configuration file\)$/m);
    assert.match(result.stdout, /^  db-url = postgres:\/\/holdfast:\*+@db\.example\/holdfast  \(configuration file\)$/m);
    assert.match(result.stdout, /^  sessions-url = redis:\/\/:\*+@cache:6379  \(HOLDFAST_SESSIONS_URL\)$/m);
    assert.match(result.stdout, /^  HOLDFAST_KEK = \*+  \(environment\)$/m);
    assert.match(result.stdout, /^  cache-size = 10000  \(default\)$/m);
    for (const secret of ['file-secret', 'redis-secret', 'kek-secret-value']) assert.equal(result.stdout.includes(secret) || result.stderr.includes(secret), false, secret);
  });
});
