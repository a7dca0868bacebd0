import type { Server as HttpServer } from 'node:http';
import type { Http2SecureServer } from 'node:http2';
import { collaborationFromConfig, type Collaboration } from './collab';
import { prepare } from './startup';

const KEY = Symbol.for('gongjian.devCollaboration');

/**
 * Attaches the collaboration server to Vite's dev server. Vite may load this module again
 * on restarts; the instance is kept on globalThis so there is only ever one.
 */
export async function attachToDevServer(httpServer: HttpServer | Http2SecureServer): Promise<void> {
	const g = globalThis as unknown as Record<symbol, Collaboration | undefined>;
	if (g[KEY]) return;
	const { config, database } = await prepare();
	const collab = collaborationFromConfig(config, database);
	g[KEY] = collab;
	httpServer.on('upgrade', (req, socket, head) => {
		collab.handleUpgrade(req, socket, head);
	});
}
