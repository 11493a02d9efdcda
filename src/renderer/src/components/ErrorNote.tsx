/** A request's failure, said plainly, with the endpoint when it does not exist yet. */
export function ErrorNote({ error, testId }: { error: string | null | undefined; testId?: string }) {
  if (!error) return null;
  return (
    <p className="error" role="alert" data-testid={testId ?? 'error'}>
      {error}
    </p>
  );
}
