/**
 * The browser's User-Agent kept with each user session (issue #13.8): the account API's device
 * activity shows the browser and operating system a session was opened from, as Keycloak's
 * device note does. A nullable column only: older nodes keep writing sessions without it during a
 * rolling upgrade, and those sessions show as an unknown device (DESIGN rule 8).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('user_session').addColumn('user_agent', 'varchar(512)').execute();
}
