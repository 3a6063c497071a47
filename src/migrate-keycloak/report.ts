/**
 * The migration report as lines for a terminal: Keycloak's version, the counts per realm, the
 * findings, the verdict, then what was written and the post-flight counts. Counts and names only:
 * no key, hash, seed or client secret ever reaches it.
 */
import type { MigrationReport } from './migrate.ts';

export function reportLines(report: MigrationReport): string[] {
  const { preflight } = report;
  const lines = [`Keycloak ${preflight.keycloak.version} (schema ${preflight.keycloak.changelog.replace(/^META-INF\//, '')})`];
  for (const r of preflight.realms) {
    lines.push(
      `realm ${r.realm}: ${r.users} users, ${r.clients} clients, ${r.keyProviders} key providers, ${r.onlineSessions} online sessions (${r.onlineClientSessions} client sessions), ${r.offlineSessions} offline sessions (${r.offlineClientSessions} client sessions)`,
    );
  }
  for (const f of preflight.findings) lines.push(`${f.severity}${f.realm ? ` [${f.realm}]` : ''}: ${f.message}`);
  lines.push(`verdict: ${preflight.verdict} (${preflight.verdictReason})`);
  if (!report.written) {
    lines.push(`nothing written: ${report.notWritten ?? 'nothing to do'}`);
  }
  for (const r of report.realms) {
    const skipped = Object.entries(r.skipped).map(([reason, n]) => `${n} ${reason}`).join(', ');
    const verb = report.written ? 'carried' : 'would carry';
    lines.push(
      `realm ${r.realm}: ${verb} ${r.carried.online} online and ${r.carried.offline} offline sessions with ${r.carried.clientSessions} client sessions${skipped ? `; left out ${skipped}` : ''}${r.skippedClientSessions ? `, ${r.skippedClientSessions} client sessions` : ''}`,
    );
    if (!report.written) continue;
    lines.push(`realm ${r.realm}: imported ${r.users} users, ${r.clients} clients, ${r.keys} key providers${r.removed ? `; removed ${r.removed} sessions an earlier run carried` : ''}`);
    for (const line of r.lossy) lines.push(`realm ${r.realm}: not carried: ${line}`);
    const perClient = Object.entries(r.stored.perClient).map(([clientId, c]) => `${clientId} ${c.online}/${c.expectedOnline} online, ${c.offline}/${c.expectedOffline} offline`);
    lines.push(`post-flight ${r.realm}: ${r.verified ? 'counts match' : 'COUNTS DIFFER'}: ${r.stored.online} online, ${r.stored.offline} offline stored${perClient.length ? `; per client: ${perClient.join('; ')}` : ''}`);
  }
  if (report.written) lines.push(`revoked token ids carried: ${report.revokedTokens}`);
  return lines;
}
