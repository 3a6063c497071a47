/**
 * An on/off switch inside a table row: the column header says what it is, and the hidden label
 * says it for this row ("rsa-generated signs new tokens"), so a screen reader hears which row.
 */
interface Props {
  checked: boolean;
  label: string;
  disabled?: boolean;
  testId?: string;
  onChange: (on: boolean) => void;
}

export function RowSwitch({ checked, label, disabled, testId, onChange }: Props) {
  return (
    <label>
      <input type="checkbox" role="switch" checked={checked} disabled={disabled} data-testid={testId} onChange={(e) => onChange((e.target as HTMLInputElement).checked)} />
      <span class="visually-hidden">{label}</span>
    </label>
  );
}
