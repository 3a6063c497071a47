/**
 * `#/{realm}/groups[/{id}/{tab}]`: the group tree, walked one level at a time as Keycloak's
 * console does (top-level groups, then a group's child groups, each level paged and searched
 * on the server), and one group's details, members, attributes and role mappings.
 */
import type { PageProps } from '../section.ts';
import { GroupDetail } from './group-detail.tsx';
import { GroupLevel } from './group-level.tsx';
import { t } from '../../i18n.ts';

export function GroupsPage({ realm, rest }: PageProps) {
  if (rest[0]) return <GroupDetail key={rest[0]} realm={realm} id={rest[0]} tab={rest[1] ?? 'children'} />;
  return (
    <article>
      <h1>{t('groups.title')}</h1>
      <GroupLevel realm={realm} />
    </article>
  );
}
