export function PredictionsPage({ query }: { query: URLSearchParams }) {
  return <p>Predictions {query.toString()}: not built yet.</p>;
}

export function PredictionPage({ id }: { id: string }) {
  return <p>Prediction {id}: not built yet.</p>;
}
