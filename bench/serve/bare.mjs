// The ceiling: Node's bare http server answering every request with a fixed JSON body.
import { createServer } from 'node:http';

const body = JSON.stringify({ id: '00000000-0000-0000-0000-000000000000', prediction: '1', probabilities: { 0: 0.1, 1: 0.9 }, model: 'bench', version: 1 });
createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
}).listen(Number(process.argv[2]), '127.0.0.1');
