// A date field that always reads and writes yyyy-mm-dd (a native date input shows the locale's
// mm/dd/yyyy). Invalid text is kept as typed and marked; the form's check names it.
const ISO = /^\d{4}-\d{2}-\d{2}$/;

export function IsoDateInput({ value, onChange, testId, id }: { value: string; onChange(v: string): void; testId?: string; id?: string }) {
  const bad = value !== '' && (!ISO.test(value) || Number.isNaN(Date.parse(value)));
  return (
    <input
      id={id}
      type="text"
      className="iso-date"
      inputMode="numeric"
      placeholder="yyyy-mm-dd"
      pattern="\d{4}-\d{2}-\d{2}"
      maxLength={10}
      value={value}
      aria-invalid={bad || undefined}
      title="Date as yyyy-mm-dd (UTC)"
      onChange={(e) => onChange(e.target.value.trim())}
      data-testid={testId}
    />
  );
}
