// Tiny HTTP server for a web-server namespace: answers every request with its own name.
// usage: node www.mjs NAME [PORT] [MAX_SECONDS]   (bounded: exits after MAX_SECONDS, default 1800)
import http from 'node:http';
const name = process.argv[2] ?? 'ws';
const port = Number(process.argv[3] ?? 80);
const server = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', connection: 'close' });
  res.end(name + '\n');
});
server.listen(port, '0.0.0.0', () => process.stdout.write(`listening ${name} :${port}\n`));
setTimeout(() => process.exit(0), Number(process.argv[4] ?? 1800) * 1000).unref();
process.on('SIGTERM', () => process.exit(0));
