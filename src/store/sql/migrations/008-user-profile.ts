/**
 * User profile and user search (issue #12.5, #12.6). `user_profile` holds a realm's declarative
 * profile once an admin (or a realm file) set one; without a row the realm has Keycloak's
 * default. `user_attribute` indexes users' attribute values for `q=key:value` searches: the name
 * and a SHA-256 of the lower-cased value, as Keycloak's own attribute table does, so values of
 * any length can be matched through an index (the attributes themselves stay in `app_user`);
 * and first and last names get lower-cased indexes for exact name searches.
 *
 * Realms of an earlier release showed every user attribute in the admin API; Keycloak's default
 * profile hides unmanaged ones. So that nothing an admin could see disappears at the upgrade, a
 * realm whose users have attributes gets the default profile with `unmanagedAttributePolicy`
 * ENABLED. Only new tables, so nodes of the previous release keep running beside this one
 * (DESIGN rule 8); users they write meanwhile are indexed when next written by this release.
 */
import { sql, type Kysely } from 'kysely';
import { newId } from '../../../crypto/index.ts';
import { defaultUserProfile } from '../../../realm/user-profile/index.ts';
import { attributeIndexRows } from '../sql-realm-repository.ts';

const PAGE = 1000;

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('user_profile')
    .addColumn('realm_id', 'varchar(64)', (c) => c.primaryKey().references('realm.id').onDelete('cascade'))
    .addColumn('component_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('config', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('user_attribute')
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('value_hash', 'varchar(64)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('user_attribute_name_value').on('user_attribute').columns(['name', 'value_hash']).execute();
  await db.schema.createIndex('user_attribute_user').on('user_attribute').column('user_id').execute();
  // Exact name searches (`search="…"`, `firstName=…&exact=true`) compare lower-cased names.
  for (const column of ['first_name', 'last_name']) {
    await sql`create index ${sql.id(`app_user_realm_lower_${column}`)} on app_user (realm_id, lower(${sql.ref(column)}))`.execute(db);
  }

  const typed = db as unknown as Kysely<{
    realm: { id: string; name: string };
    app_user: { id: string; realm_id: string; attributes: string };
    user_profile: { realm_id: string; component_id: string; config: string };
    user_attribute: { user_id: string; name: string; value_hash: string };
  }>;
  const realmsWithAttributes = new Set<string>();
  for (let after = ''; ; ) {
    const users = await typed.selectFrom('app_user').select(['id', 'realm_id', 'attributes']).where('id', '>', after).orderBy('id').limit(PAGE).execute();
    if (users.length === 0) break;
    const rows = users.flatMap((u) => attributeIndexRows(u.id, JSON.parse(u.attributes)));
    for (const user of users) if (user.attributes !== '{}') realmsWithAttributes.add(user.realm_id);
    for (let i = 0; i < rows.length; i += PAGE) await typed.insertInto('user_attribute').values(rows.slice(i, i + PAGE)).execute();
    after = users[users.length - 1].id;
  }
  const realms = await typed.selectFrom('realm').select(['id', 'name']).execute();
  for (const realm of realms.filter((r) => realmsWithAttributes.has(r.id))) {
    const config = { ...defaultUserProfile(realm.name), unmanagedAttributePolicy: 'ENABLED' };
    await typed.insertInto('user_profile').values({ realm_id: realm.id, component_id: newId(), config: JSON.stringify(config) }).execute();
  }
}
