// An in-app dialog that asks for a name (New, Save as, Duplicate): Electron does not implement
// window.prompt. A modal <dialog>: the focus stays inside, Escape cancels, Enter submits; a name
// that cannot be used is said under the field and the dialog stays open.
import { useEffect, useRef, useState } from 'react';

export interface NameDialogProps {
  title: string;
  /** What the name is for, one line under the title. */
  hint?: string;
  initial: string;
  submitLabel: string;
  /** Why a name cannot be used, or null. */
  problem(name: string): string | null;
  onSubmit(name: string): void;
  onCancel(): void;
}

export function NameDialog({ title, hint, initial, submitLabel, problem, onSubmit, onCancel }: NameDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const input = useRef<HTMLInputElement>(null);
  const [value, setValue] = useState(initial);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const d = dialog.current!;
    if (!d.open) d.showModal();
    input.current?.select();
    const cancel = (e: Event) => {
      e.preventDefault();
      onCancel();
    };
    d.addEventListener('cancel', cancel);
    return () => d.removeEventListener('cancel', cancel);
  }, [onCancel]);

  const submit = () => {
    const p = problem(value);
    if (p) {
      setError(p);
      input.current?.focus();
      return;
    }
    onSubmit(value.trim().replace(/\.ya?ml$/i, ''));
  };

  return (
    <dialog ref={dialog} className="dialog" aria-labelledby="name-dialog-title" data-testid="name-dialog">
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <h2 id="name-dialog-title">{title}</h2>
        {hint && <p className="muted small">{hint}</p>}
        <label className="field">
          <span>File name (strategies/NAME.yaml)</span>
          <input
            ref={input}
            value={value}
            onChange={(e) => {
              setValue(e.target.value);
              setError(null);
            }}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'name-dialog-error' : undefined}
            spellCheck={false}
            data-testid="name-dialog-input"
          />
        </label>
        <p className="field-error" id="name-dialog-error" role="alert" data-testid="name-dialog-error">
          {error ?? ''}
        </p>
        <div className="form-actions">
          <button type="submit" className="btn primary" data-testid="name-dialog-ok">
            {submitLabel}
          </button>
          <button type="button" className="btn" onClick={onCancel} data-testid="name-dialog-cancel">
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}
