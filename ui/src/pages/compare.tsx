export function ComparePage({ ids }: { ids: string[] }) {
  return <p>Compare {ids.join(', ')}: not built yet.</p>;
}
