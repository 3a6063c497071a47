/**
 * The service-account user of a client (`service-account-<clientId>`), which Keycloak creates
 * when `serviceAccountsEnabled` is turned on, renames with the client and deletes with it.
 * The client_credentials grant finds it by that username.
 */
import { newId } from '../crypto/index.ts';
import { adminConflict } from '../errors/index.ts';
import { defaultGroupIds, newUser, type Client, type RealmModel, type RealmRepository } from '../realm/index.ts';

export const serviceAccountName = (clientId: string): string => `service-account-${clientId}`.toLowerCase();

/**
 * Makes the service-account user match the client: created (with the default role and default
 * groups, as Keycloak creates any user), renamed, or left alone.
 */
export async function syncServiceAccount(tx: RealmRepository, client: Client, previousClientId: string | undefined, model: RealmModel, nowMs: number): Promise<void> {
  const current = previousClientId === undefined ? undefined : await tx.findUserByUsername(client.realmId, serviceAccountName(previousClientId));
  const account = current?.serviceAccountClientId === client.id ? current : undefined;
  if (account && previousClientId !== client.clientId) {
    await assertFree(tx, client);
    await tx.updateUser({ ...account, username: serviceAccountName(client.clientId) });
    return;
  }
  if (account || !client.serviceAccountsEnabled || client.publicClient) return;
  await assertFree(tx, client);
  const user = newUser(client.realmId, { id: newId(), username: serviceAccountName(client.clientId), serviceAccountClientId: client.id, enabled: true }, nowMs);
  await tx.createUsers([{ user, roleIds: [model.realm.settings.attributes.defaultRoleId], credentials: [], groupIds: defaultGroupIds(model) }]);
}

async function assertFree(tx: RealmRepository, client: Client): Promise<void> {
  if (await tx.findUserByUsername(client.realmId, serviceAccountName(client.clientId))) {
    throw adminConflict(`User exists with same username: ${serviceAccountName(client.clientId)}`);
  }
}

export async function findServiceAccount(tx: RealmRepository, client: Client) {
  const user = await tx.findUserByUsername(client.realmId, serviceAccountName(client.clientId));
  return user?.serviceAccountClientId === client.id ? user : undefined;
}
