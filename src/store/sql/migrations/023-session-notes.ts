/**
 * Keycloak's user session notes that holdfast keeps (issue #20.5): a brokered login records the
 * identity provider, the upstream username, session and user on the session, as JSON. A nullable
 * column only: older nodes keep writing sessions without notes during a rolling upgrade (DESIGN
 * rule 8), and those sessions simply carry none.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('user_session').addColumn('notes', 'text').execute();
}
