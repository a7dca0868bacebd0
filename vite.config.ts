import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig, type Plugin, type ViteDevServer } from 'vite';

/*
 * In dev, the same collaboration server as production is attached to Vite's HTTP server.
 * It is loaded through ssrLoadModule so that it shares one module graph — and so one
 * database client — with SvelteKit's server code. Only /collab upgrades are taken; Vite's
 * own HMR socket shares the server.
 */
function collaboration(): Plugin {
	return {
		name: 'gongjian-collaboration',
		apply: 'serve',
		async configureServer(server: ViteDevServer) {
			const httpServer = server.httpServer;
			if (!httpServer) return;
			type Dev = typeof import('./server/dev');
			const mod = (await server.ssrLoadModule('/server/dev.ts')) as Dev;
			await mod.attachToDevServer(httpServer);
		}
	};
}

export default defineConfig({
	plugins: [sveltekit(), collaboration()],
	server: { host: '127.0.0.1', port: 3000 }
});
