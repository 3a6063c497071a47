/**
 * Every section of the console, in nav order. Each area keeps its pages in its own folder and
 * adds one entry here.
 */
import type { Section } from './section.ts';
import { RealmHome } from './realm-home/realm-home.tsx';
import { UsersPage } from './users/users-page.tsx';
import { RealmRolesPage } from './realm-roles/realm-roles-page.tsx';
import { GroupsPage } from './groups/groups-page.tsx';
import { ClientsPage } from './clients/clients-page.tsx';
import { ClientScopesPage } from './client-scopes/client-scopes-page.tsx';
import { RealmSettings } from './realm-settings/realm-settings.tsx';
import { AddRealm } from './add-realm/add-realm.tsx';
import { EventsPage } from './events/events-page.tsx';
import { AuthenticationPage } from './authentication/authentication-page.tsx';

import { SessionsPage } from './sessions/sessions-page.tsx';
export const SECTIONS: Section[] = [
  { id: 'home', label: 'navRealmHome', requires: [], group: 'manage', component: RealmHome },
  { id: 'clients', label: 'clients.nav', requires: ['view-clients'], group: 'manage', component: ClientsPage },
  { id: 'client-scopes', label: 'clientScopes.nav', requires: ['view-clients'], group: 'manage', component: ClientScopesPage },
  { id: 'users', label: 'users.nav', requires: ['query-users', 'view-users', 'manage-users'], group: 'manage', component: UsersPage },
  { id: 'roles', label: 'roles.nav', requires: ['view-realm', 'manage-realm', 'view-users', 'manage-users'], group: 'manage', component: RealmRolesPage },
  { id: 'groups', label: 'groups.nav', requires: ['query-groups', 'view-users', 'manage-users'], group: 'manage', component: GroupsPage },
  { id: 'sessions', label: 'sessions.nav', requires: ['view-realm'], group: 'manage', component: SessionsPage },
  { id: 'realm-settings', label: 'realmSettings.nav', requires: ['view-realm'], group: 'configure', component: RealmSettings },
  { id: 'authentication', label: 'authentication.nav', requires: ['view-realm'], group: 'configure', component: AuthenticationPage },
  { id: 'events', label: 'events.nav', requires: ['view-events'], group: 'manage', component: EventsPage },
  { id: 'add-realm', label: 'createRealm', requires: [], group: 'manage', nav: false, component: AddRealm },
];
