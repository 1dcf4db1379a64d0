export function DeploymentsPage() {
  return <p>Deployments: not built yet.</p>;
}

export function DeploymentPage({ name, query }: { name: string; query: URLSearchParams }) {
  return <p>Deployment {name} {query.toString()}: not built yet.</p>;
}
