/**
 * Baseline (2): Hocuspocus as it comes — in memory, no authentication, no persistence, default
 * settings. Started as a child process by the bench; prints the port it listens on.
 */
import { Server } from '@hocuspocus/server';

const server = new Server({ port: Number(process.env.PORT ?? 0), address: '127.0.0.1', quiet: true });
await server.listen();
console.log(`listening on ${server.address.port}`);

const stop = () => {
	// --cpu-prof writes its profile on a normal exit, so leave through process.exit.
	server.destroy().then(
		() => process.exit(0),
		(err: unknown) => {
			console.error('destroy failed:', err);
			process.exit(1);
		}
	);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
