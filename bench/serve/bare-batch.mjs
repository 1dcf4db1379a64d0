// The floor for a batch request: Node's bare http server reading the body, JSON.parse-ing it, and
// answering a fixed 1,000-answer body of the same shape as ours. No validation, scoring or log.
import { createServer } from 'node:http';

const answer = JSON.stringify({
  model: 'bench',
  version: 1,
  ms: 1,
  predictions: Array.from({ length: 1000 }, (_, i) => ({ id: `01a2081c-b632-7b3e-bcd1-${String(i).padStart(12, '0')}`, prediction: '0', probabilities: { 0: 0.9874477386252177, 1: 0.012552261374782298 } })),
});
createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    JSON.parse(body);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
    res.end(answer);
  });
}).listen(Number(process.argv[2]), '127.0.0.1');
