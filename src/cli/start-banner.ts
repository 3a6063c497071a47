/**
 * What `start` prints once it listens: where, and with `--demo` a login a newcomer can finish by
 * hand. The code flow of the public demo client needs PKCE, so each start makes a fresh verifier
 * and prints the authorization URL with its challenge beside the token request that carries the
 * verifier; the consoles and the password grant need nothing to be computed.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Config } from '../config/index.ts';

export interface BannerPorts {
  http: number;
  https?: number;
  management?: number;
}

/** The redirect URI the printed flow uses: one of the demo client's, where nothing needs to listen. */
export const DEMO_FLOW_REDIRECT = 'http://localhost:3000/';

export function demoFlowLines(base: string, verifier = randomBytes(32).toString('base64url'), adminUsername = 'admin'): string[] {
  const endpoints = `${base}/realms/demo/protocol/openid-connect`;
  const authorization = new URLSearchParams({
    client_id: 'demo-app',
    redirect_uri: DEMO_FLOW_REDIRECT,
    response_type: 'code',
    scope: 'openid',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  });
  return [
    '',
    'Demo realm (user alice / password alice):',
    `  account console  ${base}/realms/demo/account/  (alice's own sessions and devices)`,
    `  admin console    ${base}/admin/  (realm master, user ${adminUsername})`,
    `  discovery        ${base}/realms/demo/.well-known/openid-configuration`,
    '  a code flow by hand:',
    `    1. open        ${endpoints}/auth?${authorization}`,
    `                   and log in; the browser goes to ${DEMO_FLOW_REDIRECT}?…&code=… (nothing listens there: copy the code)`,
    `    2. within a minute: curl -d grant_type=authorization_code -d client_id=demo-app -d redirect_uri=${DEMO_FLOW_REDIRECT} -d code_verifier=${verifier} -d code=CODE ${endpoints}/token`,
    `  password grant   curl -d grant_type=password -d client_id=demo-service -d client_secret=demo-service-secret -d username=alice -d password=alice -d scope=openid ${endpoints}/token`,
  ];
}

export function printBanner(config: Config, ports: BannerPorts, defaultAdminPassword: boolean): void {
  const base = config.hostname && /^https?:\/\//.test(config.hostname) ? config.hostname.replace(/\/$/, '') : `http://localhost:${ports.http}${config.httpRelativePath}`;
  const lines = ['', `holdfast is listening on ${base} (realms: ${config.db}${config.db === 'sqlite' ? ` in ${config.dataDir}` : ''}; sessions: ${config.sessions})`];
  if (ports.https !== undefined) lines.push(`  HTTPS on port ${ports.https}`);
  if (ports.management !== undefined) lines.push(`  management interface (health, metrics) on http://${config.httpHost === '0.0.0.0' ? 'localhost' : config.httpHost}:${ports.management}${config.httpManagementRelativePath}`);
  if (config.demo) lines.push(...demoFlowLines(base, undefined, config.bootstrapAdmin?.username ?? 'admin'));
  console.log(lines.join('\n') + '\n');
  if (defaultAdminPassword) {
    console.warn(
      [
        '!!! ================================================================== !!!',
        '!!!  WARNING: the master realm admin is admin / admin.                  !!!',
        '!!!  Set HOLDFAST_BOOTSTRAP_ADMIN_USERNAME and _PASSWORD for real use.  !!!',
        '!!! ================================================================== !!!',
      ].join('\n'),
    );
  }
}
