/**
 * A protocol mapper's form: its name and one input per property of its type, as the server
 * describes them (text, switch, list of options; client and role pickers are text inputs taking
 * the client ID or role name). Used for a client's dedicated scope and for client scopes.
 */
import { useState } from 'preact/hooks';
import { messageOf } from '../../api.ts';
import { t } from '../../i18n.ts';
import { Field, describedBy } from '../../components/field.tsx';
import { ErrorMessage } from '../../components/status.tsx';
import { Switch, TextInput } from '../clients/form-inputs.tsx';
import type { ProtocolMapperRep } from '../clients/types.ts';
import { propertyId, type ConfigProperty, type MapperType } from './mapper-types.ts';

interface Props {
  type: MapperType;
  initial: ProtocolMapperRep;
  creating: boolean;
  readOnly: boolean;
  onSave: (mapper: ProtocolMapperRep) => Promise<void>;
}

function PropertyInput({ property, value, onChange, disabled }: { property: ConfigProperty; value: string; onChange: (value: string) => void; disabled: boolean }) {
  const id = propertyId(property.name);
  if (property.type === 'boolean') return <Switch id={id} label={property.label} hint={property.helpText} checked={value === 'true'} disabled={disabled} onChange={(on) => onChange(String(on))} />;
  if (property.type === 'List' && property.options) {
    return (
      <Field id={id} label={property.label} hint={property.helpText}>
        <select id={id} value={value} disabled={disabled} onChange={(e) => onChange((e.target as HTMLSelectElement).value)} {...describedBy(id, undefined, property.helpText)}>
          <option value="">{t('clients.mapperChoose')}</option>
          {property.options.map((option) => (
            <option key={option} value={option}>
              {option}
            </option>
          ))}
        </select>
      </Field>
    );
  }
  return <TextInput id={id} label={property.label} hint={property.helpText} value={value} required={property.required} disabled={disabled || property.readOnly === true} type={property.secret ? 'password' : 'text'} onChange={onChange} />;
}

export function MapperForm({ type, initial, creating, readOnly, onSave }: Props) {
  const [mapper, setMapper] = useState<ProtocolMapperRep>(initial);
  const [nameError, setNameError] = useState<string>();
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const setConfig = (name: string, value: string) => setMapper((m) => ({ ...m, config: { ...m.config, [name]: value } }));

  const submit = async (event: Event) => {
    event.preventDefault();
    setNameError(undefined);
    setFormError(undefined);
    setBusy(true);
    try {
      await onSave(mapper);
    } catch (error) {
      if (/same name|^name:/i.test(messageOf(error))) setNameError(messageOf(error));
      else setFormError(messageOf(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} data-testid="mapper-form" novalidate>
      <p>
        {t('clients.mapperType')}: <strong data-testid="mapper-type-name">{type.name}</strong>
      </p>
      <fieldset disabled={readOnly}>
        <TextInput id="mapper-name" label={t('clients.mapperName')} value={mapper.name} required disabled={!creating} error={nameError} onChange={(name) => setMapper((m) => ({ ...m, name }))} />
        {type.properties.map((property) => (
          <PropertyInput key={property.name} property={property} value={mapper.config[property.name] ?? ''} disabled={readOnly} onChange={(value) => setConfig(property.name, value)} />
        ))}
      </fieldset>
      {formError ? <ErrorMessage message={formError} /> : null}
      {!readOnly ? (
        <button type="submit" aria-busy={busy} disabled={busy} data-testid="mapper-save">
          {creating ? t('doCreate') : t('doSave')}
        </button>
      ) : null}
    </form>
  );
}
