/** A lifespan: a whole number and its unit, labelled as one field (the unit has its own label for screen readers). */
import { t } from '../../i18n.ts';
import { TIME_UNITS, type TimeValue } from './setting-fields.ts';

interface Props {
  id: string;
  label: string;
  value: TimeValue;
  onChange: (value: TimeValue) => void;
  disabled?: boolean;
  aria: Record<string, string | boolean>;
}

export function TimeInput({ id, label, value, onChange, disabled, aria }: Props) {
  return (
    <div class="time-input" role="group" aria-label={label}>
      <input id={id} type="text" inputMode="numeric" value={value.amount} disabled={disabled} data-testid={id} {...aria} onInput={(e) => onChange({ ...value, amount: (e.target as HTMLInputElement).value })} />
      <select aria-label={t('realmSettings.unitOf', label)} value={String(value.unit)} disabled={disabled} data-testid={`${id}-unit`} onChange={(e) => onChange({ ...value, unit: Number((e.target as HTMLSelectElement).value) })}>
        {TIME_UNITS.map((unit) => (
          <option key={unit.seconds} value={String(unit.seconds)}>
            {t(unit.key)}
          </option>
        ))}
      </select>
    </div>
  );
}
