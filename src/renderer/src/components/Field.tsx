import type { ReactNode } from 'react';

/** A labelled form control with its validation message reserved below (no jump when it appears). */
export function Field({ label, error, children, htmlFor }: { label: string; error?: string; children: ReactNode; htmlFor: string }) {
  return (
    <div className={error ? 'field invalid' : 'field'}>
      <label htmlFor={htmlFor}>{label}</label>
      {children}
      <span className="field-error" data-testid={`error-${htmlFor}`}>
        {error ?? ''}
      </span>
    </div>
  );
}
