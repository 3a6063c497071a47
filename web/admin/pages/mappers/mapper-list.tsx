/**
 * The protocol mappers of a client's dedicated scope or of a client scope (`{base}/protocol-mappers/models`):
 * the list with delete, adding one by type, and editing one. `rest` is the route after the tab:
 * nothing for the list, `new` for the type choice, `new/{type}` or `{mapperId}` for the form.
 */
import { api } from '../../api.ts';
import { t } from '../../i18n.ts';
import { navigate } from '../../router.ts';
import { ConfirmButton } from '../../components/confirm-button.tsx';
import { useAsync } from '../../components/use-async.ts';
import { ErrorMessage, Loading } from '../../components/status.tsx';
import { notify } from '../../components/alerts.tsx';
import type { ProtocolMapperRep } from '../clients/types.ts';
import { MapperForm } from './mapper-form.tsx';
import { defaultConfig, mapperTypes, type MapperType } from './mapper-types.ts';

interface Props {
  realm: string;
  /** The admin path of the client or client scope, e.g. `/demo/clients/{id}`. */
  base: string;
  manage: boolean;
  rest: string[];
  /** Where the list is (`#/…/mappers`). */
  backHref: string;
}

function TypeChoice({ types, backHref }: { types: MapperType[]; backHref: string }) {
  return (
    <section aria-labelledby="mapper-type-heading">
      <h2 id="mapper-type-heading">{t('clients.mapperChooseType')}</h2>
      <ul class="choice-list" data-testid="mapper-types">
        {types.map((type) => (
          <li key={type.id}>
            <a href={`${backHref}/new/${encodeURIComponent(type.id)}`} data-testid={`mapper-type-${type.id}`}>
              {type.name}
            </a>
          </li>
        ))}
      </ul>
      <a href={backHref}>{t('doCancel')}</a>
    </section>
  );
}

export function MapperList({ base, manage, rest, backHref }: Props) {
  const models = `${base}/protocol-mappers/models`;
  const types = useAsync(() => mapperTypes(), []);
  const mappers = useAsync(() => api.get<ProtocolMapperRep[]>(models), [models, rest.join('/')]);
  if (types.loading || mappers.loading) return <Loading />;
  if (types.error || mappers.error) return <ErrorMessage message={(types.error ?? mappers.error)!} />;
  const known = types.data ?? [];
  const typeOf = (id: string) => known.find((type) => type.id === id);

  if (rest[0] === 'new' && !rest[1]) return <TypeChoice types={known} backHref={backHref} />;
  if (rest[0] === 'new') {
    const type = typeOf(rest[1]);
    if (!type) return <ErrorMessage message={t('clients.mapperUnknownType', rest[1])} />;
    const initial: ProtocolMapperRep = { name: '', protocol: 'openid-connect', protocolMapper: type.id, config: defaultConfig(type) };
    return (
      <MapperForm
        type={type}
        initial={initial}
        creating
        readOnly={!manage}
        onSave={async (mapper) => {
          await api.post(models, mapper);
          notify('success', t('clients.mapperCreated'));
          navigate(backHref);
        }}
      />
    );
  }
  if (rest[0]) {
    const mapper = mappers.data?.find((m) => m.id === rest[0]);
    const type = mapper && typeOf(mapper.protocolMapper);
    if (!mapper) return <ErrorMessage message={t('pageNotFound')} />;
    if (!type) return <ErrorMessage message={t('clients.mapperUnknownType', mapper.protocolMapper)} />;
    return (
      <MapperForm
        type={type}
        initial={mapper}
        creating={false}
        readOnly={!manage}
        onSave={async (changed) => {
          await api.put(`${models}/${encodeURIComponent(mapper.id!)}`, changed);
          notify('success', t('clients.mapperSaved'));
          navigate(backHref);
        }}
      />
    );
  }

  const list = [...(mappers.data ?? [])].sort((a, b) => a.name.localeCompare(b.name));
  return (
    <section aria-labelledby="mappers-heading">
      <div class="toolbar">
        <h2 id="mappers-heading">{t('clients.tabMappers')}</h2>
        {manage ? (
          <a role="button" href={`${backHref}/new`} data-testid="mapper-add">
            {t('clients.mapperAdd')}
          </a>
        ) : null}
      </div>
      <div class="table-scroll">
        <table data-testid="mappers-table">
          <caption class="visually-hidden">{t('clients.tabMappers')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('clients.mapperName')}</th>
              <th scope="col">{t('clients.mapperType')}</th>
              <th scope="col">{t('clients.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {list.map((m) => (
              <tr key={m.id}>
                <td data-label={t('clients.mapperName')}>
                  <a href={`${backHref}/${encodeURIComponent(m.id!)}`}>{m.name}</a>
                </td>
                <td data-label={t('clients.mapperType')}>{typeOf(m.protocolMapper)?.name ?? m.protocolMapper}</td>
                <td data-label={t('clients.actions')}>
                  {manage ? (
                    <ConfirmButton
                      testId={`mapper-delete-${m.name}`}
                      label={t('doDelete')}
                      title={t('clients.mapperDeleteTitle', m.name)}
                      message={t('clients.mapperDeleteMessage')}
                      done={t('clients.mapperDeleted')}
                      onConfirm={async () => {
                        await api.del(`${models}/${encodeURIComponent(m.id!)}`);
                        mappers.reload();
                      }}
                    />
                  ) : null}
                </td>
              </tr>
            ))}
            {list.length === 0 ? (
              <tr>
                <td colSpan={3}>{t('clients.mapperNone')}</td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </section>
  );
}
