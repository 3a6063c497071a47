/**
 * "Impersonate": POST /users/{id}/impersonation sets the user's SSO cookies on this browser and
 * names the account console, which then opens signed in as the user: in a new tab when the admin
 * is of another realm (their console stays signed in), in this one when the server signed the
 * admin out because the browser can hold one session of the realm (`sameRealm`), as Keycloak's
 * console does.
 */
import { api } from '../../api.ts';
import { t } from '../../i18n.ts';
import { ConfirmButton } from '../../components/confirm-button.tsx';
import { userPath, type UserRep } from './types.ts';

interface Impersonation {
  sameRealm: boolean;
  redirect: string;
}

export function ImpersonateButton({ realm, user }: { realm: string; user: UserRep }) {
  const impersonate = async () => {
    const { sameRealm, redirect } = await api.post<Impersonation>(userPath(realm, user.id, 'impersonation'));
    const tab = sameRealm ? null : window.open(redirect, '_blank');
    // The account console needs nothing from this window; a blocked pop-up falls back to this tab.
    if (tab) tab.opener = null;
    else window.location.assign(redirect);
  };
  return (
    <ConfirmButton
      testId="user-impersonate"
      class="secondary"
      label={t('users.impersonate')}
      title={t('users.impersonate')}
      message={t('users.impersonateMessage', user.username)}
      confirmLabel={t('users.impersonate')}
      onConfirm={impersonate}
    />
  );
}
