// Ceiling: what one Node event loop costs per request when it reads the body, JSON.parses
// it and JSON.stringifies a small reply, and nothing else. Plain JS run by `node`, no tsx.
import { Buffer } from 'node:buffer';
import { createServer } from 'node:http';
import process from 'node:process';

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let records = 0;
    if (req.method === 'POST') {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      records = Array.isArray(body.data) ? body.data.length : 0;
    }
    const reply = JSON.stringify({ msg: 'Successful!', code: 200, data: { records } });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(reply) });
    res.end(reply);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
