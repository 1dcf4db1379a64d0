export function MonitorPage() {
  return <p>Monitoring: not built yet.</p>;
}

export function MonitorModelPage({ model, query }: { model: string; query: URLSearchParams }) {
  return <p>Monitoring {model} {query.toString()}: not built yet.</p>;
}
