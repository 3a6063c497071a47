/**
 * `#/{realm}/users[/new | /{id}/{tab}]`: the list, the create form or one user's tabs. One
 * section, so the nav entry stays "Users" wherever the admin is inside it.
 */
import type { PageProps } from '../section.ts';
import { UserCreate } from './user-create.tsx';
import { UserDetail } from './user-detail.tsx';
import { UserList } from './user-list.tsx';

export function UsersPage({ realm, rest }: PageProps) {
  if (rest[0] === 'new') return <UserCreate realm={realm} />;
  if (rest[0]) return <UserDetail key={rest[0]} realm={realm} id={rest[0]} tab={rest[1] ?? 'details'} />;
  return <UserList realm={realm} />;
}
