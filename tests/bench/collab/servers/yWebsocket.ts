/**
 * Baseline (3): the y-websocket reference server — @y/websocket-server's setupWSConnection on
 * a plain ws server, in memory. Started as a child process by the bench; prints its port.
 */
import http from 'node:http';
import { WebSocketServer } from 'ws';
import { setupWSConnection } from '@y/websocket-server/utils';

const server = http.createServer((_req, res) => {
	res.writeHead(200, { 'content-type': 'text/plain' });
	res.end('y-websocket reference server');
});
const wss = new WebSocketServer({ noServer: true });
wss.on('connection', (ws, req) => setupWSConnection(ws, req));
server.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req)));
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
	const address = server.address();
	console.log(`listening on ${typeof address === 'object' && address ? address.port : '?'}`);
});

const stop = () => {
	for (const ws of wss.clients) ws.terminate();
	server.close(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
