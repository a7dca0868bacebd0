import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCollaboration, type Collaboration } from '../../server/collab';
import type { Database } from '../../src/lib/server/db';
import type { DocStore } from '../../src/lib/server/docStore';

/** The real collaboration server (same composition root as production) on port 0. */
export async function startCollabServer(
	database: Database,
	options: { origin?: string | null; docStore?: DocStore; appendGiveUpMs?: number; redisUrl?: string; compactAfterMs?: number; registerControl?: boolean; shadowIdleMs?: number } = {}
) {
	const collab: Collaboration = createCollaboration({
		database,
		origin: options.origin ?? null,
		compactAfterMs: options.compactAfterMs ?? 200,
		docStore: options.docStore,
		appendGiveUpMs: options.appendGiveUpMs,
		redisUrl: options.redisUrl ?? null,
		registerControl: options.registerControl,
		shadowIdleMs: options.shadowIdleMs
	});
	const server = http.createServer((_req, res) => {
		res.statusCode = 404;
		res.end();
	});
	server.on('upgrade', (req, socket, head) => {
		if (!collab.handleUpgrade(req, socket, head)) socket.destroy();
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const port = (server.address() as AddressInfo).port;
	return {
		collab,
		port,
		url: `ws://127.0.0.1:${port}/collab`,
		async stop() {
			await collab.shutdown();
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		}
	};
}
