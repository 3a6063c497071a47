/**
 * A check of the SQL store's kept session counts (migrations 021 and 031) against a real count of
 * the sessions in the same database, for tests that move or copy a database (migrate-store,
 * restore). The query runs on SQLite and PostgreSQL alike.
 */

/** One row per realm and kind and per client and kind, with the kept (summed slots) and real counts. */
export const KEPT_AND_REAL_COUNTS = `
  SELECT 'realm' AS kind, realm_id || '/' || offline AS key, kept, real FROM
    (SELECT realm_id, offline, sum(count) AS kept FROM session_count GROUP BY realm_id, offline) k
    FULL JOIN (SELECT realm_id, offline, count(*) AS real FROM user_session GROUP BY realm_id, offline) r USING (realm_id, offline)
  UNION ALL
  SELECT 'client', realm_id || '/' || client_uuid || '/' || offline, kept, real FROM
    (SELECT realm_id, client_uuid, offline, sum(count) AS kept FROM client_session_count GROUP BY realm_id, client_uuid, offline) k
    FULL JOIN (SELECT realm_id, client_uuid, offline, count(*) AS real FROM client_session GROUP BY realm_id, client_uuid, offline) r USING (realm_id, client_uuid, offline)`;

interface CountRow {
  kind: string;
  key: string;
  kept: number | string | null;
  real: number | string | null;
}

/** The rows of KEPT_AND_REAL_COUNTS that disagree, as `kind key kept/real` lines; none when every count is right. */
export function wrongCounts(rows: CountRow[]): string[] {
  return rows.filter((r) => Number(r.kept ?? 0) !== Number(r.real ?? 0)).map((r) => `${r.kind} ${r.key} ${r.kept ?? 0}/${r.real ?? 0}`);
}
