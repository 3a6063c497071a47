/**
 * The console's frame: header with the realm picker and the admin's name, the nav of sections the
 * admin's roles allow in the chosen realm, and the page. Focus moves to the page on navigation so
 * keyboard and screen-reader users land where the content changed.
 */
import { useEffect, useRef } from 'preact/hooks';
import { useAccess } from './access.ts';
import { signOut } from './auth.ts';
import { environment } from './environment.ts';
import { t } from './i18n.ts';
import { href, navigate, useRoute } from './router.ts';
import { Alerts } from './components/alerts.tsx';
import { SECTIONS } from './pages/index.ts';

function RealmPicker({ realm }: { realm: string }) {
  const access = useAccess();
  return (
    <label class="realm-picker">
      <span class="visually-hidden">{t('realm')}</span>
      <select data-testid="realm-picker" value={realm} onChange={(e) => navigate(href((e.target as HTMLSelectElement).value, 'home'))}>
        {access.realms.map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </select>
    </label>
  );
}

function Nav({ realm, section }: { realm: string; section: string }) {
  const access = useAccess();
  const shown = SECTIONS.filter((s) => s.nav !== false && access.canAny(realm, s.requires));
  const group = (name: 'manage' | 'configure') => shown.filter((s) => s.group === name);
  return (
    <nav class="sidebar" aria-label={t('sections')}>
      {(['manage', 'configure'] as const).map((name) =>
        group(name).length > 0 ? (
          <div key={name}>
            <h2 class="nav-group">{t(name === 'manage' ? 'navManage' : 'navConfigure')}</h2>
            <ul>
              {group(name).map((s) => (
                <li key={s.id}>
                  <a href={href(realm, s.id)} aria-current={s.id === section ? 'page' : undefined} data-testid={`nav-${s.id}`}>
                    {t(s.label)}
                  </a>
                </li>
              ))}
            </ul>
          </div>
        ) : null,
      )}
      {access.whoami.createRealm ? (
        <p>
          <a href={href(realm, 'add-realm')} data-testid="nav-add-realm">
            {t('createRealm')}
          </a>
        </p>
      ) : null}
    </nav>
  );
}

export function Shell() {
  const access = useAccess();
  const route = useRoute();
  const main = useRef<HTMLElement>(null);
  const fallbackRealm = access.realms.includes(environment.loginRealm) ? environment.loginRealm : access.realms[0];
  useEffect(() => {
    if (!route.realm || !route.section) navigate(href(route.realm ?? fallbackRealm, 'home'));
  }, [route.realm, route.section]);
  useEffect(() => main.current?.focus(), [route.realm, route.section, route.rest.join('/')]);
  const realm = route.realm ?? fallbackRealm;
  const section = SECTIONS.find((s) => s.id === (route.section ?? 'home'));
  let page;
  if (!access.realms.includes(realm)) page = <p role="alert">{t('noRealmAccess', realm)}</p>;
  else if (!section) page = <p role="alert">{t('pageNotFound')}</p>;
  else if (!access.canAny(realm, section.requires)) page = <p role="alert">{t('noPermission')}</p>;
  else page = <section.component key={`${realm}/${section.id}`} realm={realm} rest={route.rest} />;
  return (
    <>
      <a class="skip-link" href="#main" onClick={(e) => (e.preventDefault(), main.current?.focus())}>
        {t('skipToContent')}
      </a>
      <header class="topbar">
        <a class="brand" href={href(realm, 'home')}>
          holdfast
        </a>
        <RealmPicker realm={realm} />
        <span class="who" data-testid="whoami">
          {access.whoami.displayName}
        </span>
        <button type="button" class="secondary outline" data-testid="sign-out" onClick={() => void signOut()}>
          {t('doSignOut')}
        </button>
      </header>
      <div class="layout">
        <Nav realm={realm} section={section?.id ?? ''} />
        <main id="main" ref={main} tabIndex={-1}>
          {page}
        </main>
      </div>
      <Alerts />
    </>
  );
}
