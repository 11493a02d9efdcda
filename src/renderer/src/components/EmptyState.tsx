import type { ReactNode } from 'react';

/** What a panel shows when it has nothing yet: says why and what to do next. */
export function EmptyState({ children, testId }: { children: ReactNode; testId?: string }) {
  return (
    <div className="empty-state" data-testid={testId ?? 'empty-state'}>
      {children}
    </div>
  );
}
