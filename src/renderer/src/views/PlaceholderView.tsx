export function PlaceholderView({ title }: { title: string }) {
  return (
    <section className="view">
      <h1>{title}</h1>
      <p className="empty">Nothing here yet.</p>
    </section>
  );
}
