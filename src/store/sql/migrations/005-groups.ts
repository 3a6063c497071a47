/**
 * Groups (issue #12.1): the group tree of each realm, the roles mapped to groups and the users in
 * them. Only new tables, so nodes of the previous release keep running beside this one (DESIGN
 * rule 8). `parent_id` is '' for top-level groups, so that the sibling-name uniqueness holds on
 * SQLite and PostgreSQL alike (NULLs never collide); subgroups are deleted by the repository,
 * memberships and role mappings by cascade.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('realm_group')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('realm_id', 'varchar(64)', (c) => c.notNull().references('realm.id').onDelete('cascade'))
    .addColumn('parent_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('attributes', 'text', (c) => c.notNull())
    .addColumn('default_group', 'integer', (c) => c.notNull())
    .addUniqueConstraint('realm_group_sibling_name', ['realm_id', 'parent_id', 'name'])
    .execute();

  await db.schema
    .createTable('group_role')
    .addColumn('group_id', 'varchar(64)', (c) => c.notNull().references('realm_group.id').onDelete('cascade'))
    .addColumn('role_id', 'varchar(64)', (c) => c.notNull().references('role.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('group_role_pk', ['group_id', 'role_id'])
    .execute();
  await db.schema.createIndex('group_role_role').on('group_role').column('role_id').execute();

  await db.schema
    .createTable('group_member')
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
    .addColumn('group_id', 'varchar(64)', (c) => c.notNull().references('realm_group.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('group_member_pk', ['user_id', 'group_id'])
    .execute();
  await db.schema.createIndex('group_member_group').on('group_member').column('group_id').execute();
}
