import { useState } from 'react';
import { ApiError } from '../api/client';
import { serverErrors, type FieldErrors } from '../lib/forms';

/**
 * The submit cycle every start form shares: client checks first, then the request; a 4xx answer's
 * field problems go next to their fields and its detail under the form.
 */
export function useFormSubmission<F>(validate: (form: F) => FieldErrors, send: (form: F) => Promise<void>) {
  const [errors, setErrors] = useState<FieldErrors>({});
  const [serverMessage, setServerMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: React.FormEvent, form: F) {
    e.preventDefault();
    const errs = validate(form);
    setErrors(errs);
    setServerMessage(null);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      await send(form);
    } catch (err) {
      const { fields, message } = err instanceof ApiError ? serverErrors(err.body, err.message) : { fields: {}, message: (err as Error).message };
      setErrors(fields);
      setServerMessage(err instanceof ApiError ? `${err.status}: ${message}` : message);
    } finally {
      setBusy(false);
    }
  }

  return { errors, serverMessage, busy, submit };
}
