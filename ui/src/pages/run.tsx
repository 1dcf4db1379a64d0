export function RunPage({ id }: { id: string }) {
  return <p>Run {id}: not built yet.</p>;
}
