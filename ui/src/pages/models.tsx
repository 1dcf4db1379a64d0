export function ModelsPage() {
  return <p>Models: not built yet.</p>;
}

export function ModelPage({ name }: { name: string }) {
  return <p>Model {name}: not built yet.</p>;
}
