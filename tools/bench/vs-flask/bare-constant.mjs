// Ceiling: node:http reading the body without looking at it and sending a constant reply.
import { Buffer } from 'node:buffer';
import { createServer } from 'node:http';
import process from 'node:process';

const reply = Buffer.from(JSON.stringify({ msg: 'Successful!', code: 200, data: [] }));
const server = createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': reply.length });
    res.end(reply);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
