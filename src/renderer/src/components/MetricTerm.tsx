// A metric's name with its definition, for the mouse and the keyboard alike (issue 27: definitions were
// hover-only): the term takes the focus (Tab) and its definition shows while it is hovered or focused
// (drawn from data-def, so the term's text stays its name); screen readers read it as its description.
export function MetricTerm({ label, definition }: { label: string; definition: string }) {
  return (
    <span className="metric-term" tabIndex={0} data-def={definition} aria-description={definition} data-testid="metric-term">
      {label}
    </span>
  );
}
