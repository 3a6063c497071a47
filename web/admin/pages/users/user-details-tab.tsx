/** The profile fields, saved with PUT /users/{id}, and the brute-force status with unlock. */
import { api } from '../../api.ts';
import { useAccess } from '../../access.ts';
import { t } from '../../i18n.ts';
import { notify } from '../../components/alerts.tsx';
import { ConfirmButton } from '../../components/confirm-button.tsx';
import { useAsync } from '../../components/use-async.ts';
import type { UserTabProps } from './tab-props.ts';
import { dateTime, userPath, type BruteForceRep } from './types.ts';
import { UserForm, type UserFields } from './user-form.tsx';

function BruteForceStatus({ realm, user, manage }: UserTabProps) {
  const path = `/${encodeURIComponent(realm)}/attack-detection/brute-force/users/${encodeURIComponent(user.id)}`;
  const status = useAsync(() => api.get<BruteForceRep>(path), [path]);
  if (!status.data) return null;
  const s = status.data;
  return (
    <section data-testid="brute-force">
      <h2>{t('users.bruteForce')}</h2>
      <p>
        {s.disabled ? t('users.lockedOut') : t('users.notLockedOut')}
        {s.numFailures > 0 ? ` ${t('users.failures', s.numFailures, dateTime(s.lastFailure), s.lastIPFailure)}` : ''}
      </p>
      {manage && (s.disabled || s.numFailures > 0) ? (
        <ConfirmButton testId="user-unlock" label={t('users.unlock')} title={t('users.unlock')} message={t('users.unlockMessage', user.username)} done={t('users.unlocked')} onConfirm={async () => (await api.del(path), status.reload())} />
      ) : null}
    </section>
  );
}

export function UserDetailsTab(props: UserTabProps) {
  const { realm, user, manage, reload } = props;
  const access = useAccess();
  const save = async (fields: UserFields) => {
    await api.put(userPath(realm, user.id), { ...fields, attributes: user.attributes ?? {}, requiredActions: user.requiredActions ?? [] });
    notify('success', t('users.saved'));
    reload();
  };
  return (
    <>
      <dl>
        <dt>{t('users.id')}</dt>
        <dd>
          <code>{user.id}</code>
        </dd>
        <dt>{t('users.createdAt')}</dt>
        <dd>{dateTime(user.createdTimestamp)}</dd>
        {(user.requiredActions ?? []).length > 0 ? (
          <>
            <dt>{t('users.requiredActions')}</dt>
            <dd data-testid="required-actions">{user.requiredActions!.join(', ')}</dd>
          </>
        ) : null}
      </dl>
      <UserForm key={`${user.id}-${user.username}-${user.email}`} initial={user} readOnly={!manage} submitLabel={t('doSave')} onSubmit={save} />
      {access.can(realm, 'view-users') ? <BruteForceStatus {...props} /> : null}
    </>
  );
}
