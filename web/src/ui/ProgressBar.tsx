interface ProgressBarProps {
  value: number;
  max: number;
  label: string;
}

/** A labelled bar; the numbers are announced, the bar is decoration. */
export function ProgressBar({ value, max, label }: ProgressBarProps) {
  const share = max > 0 ? Math.min(1, value / max) : 0;
  return (
    <div className="progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={max} aria-valuenow={value}>
      <div className="progress-fill" style={{ width: `${(share * 100).toFixed(1)}%` }} />
    </div>
  );
}
