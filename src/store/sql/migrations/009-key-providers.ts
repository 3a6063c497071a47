/**
 * Realm keys become Keycloak's key provider components (issue #12.8): each key row gets its
 * component's id, name, providerId, priority, enabled flag, certificate and other settings.
 * Existing RSA and HMAC keys become `rsa-generated` and `hmac-generated-hs512` at priority 100,
 * as Keycloak's defaults; the data key (kind 'aes') stays no component. Their certificates are
 * made at the next realm load, since the key material is sealed and migrations hold no KEK.
 * Only new nullable columns, so nodes of the previous release keep running beside this one
 * (DESIGN rule 8); rows such a node writes are read as priority-100 generated providers.
 */
import type { Kysely } from 'kysely';
import { newId } from '../../../crypto/index.ts';

const LEGACY_PROVIDERS: Record<string, { providerId: string; name: string; config: Record<string, string[]> }> = {
  rsa: { providerId: 'rsa-generated', name: 'rsa-generated', config: { priority: ['100'] } },
  hmac: { providerId: 'hmac-generated', name: 'hmac-generated-hs512', config: { priority: ['100'], algorithm: ['HS512'] } },
};

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const [column, type] of [
    ['component_id', 'varchar(64)'],
    ['provider_id', 'varchar(64)'],
    ['name', 'varchar(255)'],
    ['priority', 'bigint'],
    ['enabled', 'integer'],
    ['certificate', 'text'],
    ['config', 'text'],
  ] as const) {
    await db.schema.alterTable('realm_key').addColumn(column, type).execute();
  }
  const typed = db as unknown as Kysely<{ realm_key: { kid: string; kind: string; component_id: string | null; provider_id: string | null; name: string | null; priority: number | null; enabled: number | null; config: string | null } }>;
  const rows = await typed.selectFrom('realm_key').select(['kid', 'kind']).execute();
  for (const row of rows) {
    const legacy = LEGACY_PROVIDERS[row.kind];
    if (!legacy) continue;
    await typed
      .updateTable('realm_key')
      .set({ component_id: newId(), provider_id: legacy.providerId, name: legacy.name, priority: 100, enabled: 1, config: JSON.stringify(legacy.config) })
      .where('kid', '=', row.kid)
      .execute();
  }
}
