/**
 * The client scopes section: `#/{realm}/client-scopes` lists the realm's scopes with their realm
 * default type (default, optional or none: what new clients get), `…/new` creates one, and
 * `…/{id}/{settings|mappers}` edits one and its mappers.
 */
import type { PageProps } from '../section.ts';
import { ClientScopeDetail } from './client-scope-detail.tsx';
import { ClientScopeList } from './client-scope-list.tsx';

export function ClientScopesPage({ realm, rest }: PageProps) {
  if (rest[0] === 'new') return <ClientScopeDetail realm={realm} tab="settings" rest={[]} />;
  if (rest[0]) return <ClientScopeDetail key={rest[0]} realm={realm} id={rest[0]} tab={rest[1] ?? 'settings'} rest={rest.slice(2)} />;
  return <ClientScopeList realm={realm} />;
}
