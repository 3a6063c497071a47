/**
 * The clients section: `#/{realm}/clients` lists them, `…/clients/new` creates one, and
 * `…/clients/{id}/{tab}` shows one client's tab.
 */
import type { PageProps } from '../section.ts';
import { ClientCreate } from './client-create.tsx';
import { ClientDetail } from './client-detail.tsx';
import { ClientList } from './client-list.tsx';

export function ClientsPage({ realm, rest }: PageProps) {
  if (rest[0] === 'new') return <ClientCreate realm={realm} />;
  if (rest[0]) return <ClientDetail key={rest[0]} realm={realm} id={rest[0]} tab={rest[1] ?? 'settings'} rest={rest.slice(2)} />;
  return <ClientList realm={realm} />;
}
