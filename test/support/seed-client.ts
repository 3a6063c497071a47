/**
 * Adds a client to a data directory before a holdfast process starts on it (seeding the demo
 * realm first when the directory is empty), through the same repository the server uses. For
 * tests whose client must name a port chosen at run time, such as a browser test's app server,
 * so that they need not bind the demo client's fixed port 3000.
 */
import { buildApp } from '../../src/app.ts';
import { testConfig } from '../../src/config/index.ts';
import { newId } from '../../src/crypto/index.ts';
import { clientDefaults, type Client } from '../../src/realm/index.ts';

export type ClientFields = Partial<Omit<Client, 'id' | 'realmId'>> & Pick<Client, 'clientId'>;

export async function seedClient(dataDir: string, realmName: string, fields: ClientFields): Promise<void> {
  const holdfast = await buildApp({ config: testConfig({ dataDir, demo: true }) });
  try {
    const repository = holdfast.ctx.realms.repository;
    const realm = await repository.findRealmByName(realmName);
    if (!realm) throw new Error(`seedClient: realm '${realmName}' not found in ${dataDir}`);
    await repository.createClient({ ...clientDefaults(), ...fields, id: newId(), realmId: realm.id });
  } finally {
    await holdfast.close();
  }
}
