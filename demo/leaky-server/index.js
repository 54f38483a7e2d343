// A small HTTP API with a classic leak: every request stores a session in a module-level cache that is never
// evicted. It sends itself a steady trickle of requests (loopback only) so the leak shows without a load tool.
import { createServer, get } from 'node:http';

class UserSession {
  constructor(id, headers) {
    this.id = id;
    this.createdAt = Date.now();
    this.headers = { ...headers };
    this.scratch = 'x'.repeat(8 * 1024) + id; // what a real app keeps "for later"
  }
}

const sessions = new Map(); // the leak: nothing ever deletes from it
let nextId = 0;
/** Stop growing at this size so a forgotten demo cannot eat the machine. */
const CAP_BYTES = 400 * 1024 * 1024;

const server = createServer((req, res) => {
  const id = `s${nextId++}`;
  sessions.set(id, new UserSession(id, req.headers));
  if (process.memoryUsage().rss > CAP_BYTES) sessions.clear();
  res.end(JSON.stringify({ id, sessions: sessions.size }));
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  console.log(`leaky-server listening on 127.0.0.1:${port}`);
  setInterval(() => {
    for (let i = 0; i < 5; i++) get({ host: '127.0.0.1', port, path: '/login' }, (res) => res.resume()).on('error', () => {});
  }, 50);
});
