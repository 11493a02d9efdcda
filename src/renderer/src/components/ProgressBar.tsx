import { barAnimates, barPercent } from '../lib/progress';

/**
 * A fixed-height bar (no layout jump while values stream in). The label and the fill come from the
 * same number; a final state is drawn without transition, so a completed operation shows a full
 * bar at once (a running transition would otherwise leave "100.0%" over a part-filled bar).
 */
export function ProgressBar({ value, status, testId, label = 'Progress' }: { value: number; status?: string; testId?: string; label?: string }) {
  const pct = barPercent(value, status);
  return (
    <div
      className={`progress ${status ?? ''}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(pct)}
      aria-valuetext={`${pct.toFixed(1)}%`}
      data-testid={testId}
      data-value={pct.toFixed(1)}
    >
      <span className="progress-label" aria-hidden="true">
        {pct.toFixed(1)}%
      </span>
      {/* The fill carries a second label in the on-fill colour, as wide as the track: the text stays readable where the fill covers it. */}
      <div className={barAnimates(status) ? 'progress-fill animated' : 'progress-fill'} style={{ width: `${pct}%` }} data-testid={testId && `${testId}-fill`}>
        <span className="progress-label on-fill" aria-hidden="true">
          {pct.toFixed(1)}%
        </span>
      </div>
    </div>
  );
}
