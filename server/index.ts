import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { collaborationFromConfig } from './collab';
import { prepare } from './startup';
import { startMailSender } from '../src/lib/server/mail';
import { notifyReportsDue } from '../src/lib/server/notificationEvents';
import { loggablePath, logContext, newLogId, requestId } from '../src/lib/server/log';

/*
 * The production process: one HTTP server on one port. Requests go to SvelteKit's
 * adapter-node handler; WebSocket upgrades on /collab go to Hocuspocus.
 */

process.on('unhandledRejection', (reason) => {
	console.error('[process] unhandled rejection:', reason);
});

const started = Date.now();
const { config, database } = await prepare();

/*
 * adapter-node assumes https when it is not told the origin, and SvelteKit's CSRF check
 * would then refuse every form posted to a plain http://127.0.0.1:3000. Unless the operator
 * configured ORIGIN (or a proxy's PROTOCOL_HEADER), tell it the truth about this socket
 * through a header we set ourselves on every request (overwriting any the client sent).
 */
const OWN_PROTOCOL_HEADER = 'x-gongjian-protocol';
const ownProtocolHeader = !process.env.ORIGIN && !process.env.PROTOCOL_HEADER;
if (ownProtocolHeader) process.env.PROTOCOL_HEADER = OWN_PROTOCOL_HEADER;

// adapter-node's default body limit is 512 KB. A monthly progress report carries up to five
// attachments of 5 MiB each in one multipart request (all or nothing), so 28 MB; the CSV import needs 1 MiB.
process.env.BODY_SIZE_LIMIT ??= '28M';

type NodeHandler = (req: http.IncomingMessage, res: http.ServerResponse, next?: () => void) => void;
const buildDir = path.resolve(process.env.BUILD_DIR ?? 'build');
const { handler } = (await import(pathToFileURL(path.join(buildDir, 'handler.js')).href)) as { handler: NodeHandler };

const collab = collaborationFromConfig(config, database);

/**
 * Prometheus metrics, for the scraper on this machine (loopback) or one that sends
 * METRICS_TOKEN as a bearer token: the counts say how busy committees are, not for the world.
 */
function metricsAllowed(req: http.IncomingMessage): boolean {
	const token = process.env.METRICS_TOKEN;
	if (token) return req.headers.authorization === `Bearer ${token}`;
	const address = req.socket.remoteAddress ?? '';
	return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

const server = http.createServer((req, res) => {
	if (req.url === '/metrics' && req.method === 'GET') {
		if (!metricsAllowed(req)) {
			res.statusCode = 403;
			res.end('Forbidden');
			return;
		}
		collab.metrics.text().then(
			(text) => {
				res.setHeader('content-type', collab.metrics.contentType);
				res.end(text);
			},
			(err: unknown) => {
				console.error('[metrics] could not collect:', err);
				res.statusCode = 500;
				res.end('metrics unavailable');
			}
		);
		return;
	}
	if (ownProtocolHeader) req.headers[OWN_PROTOCOL_HEADER] = 'http';
	const id = requestId(req.headers['x-request-id']);
	res.setHeader('x-request-id', id);
	const begun = performance.now();
	res.on('finish', () => {
		// Failures and slow answers, each with its id (the page shows nothing of it; the operator needs it).
		const ms = Math.round(performance.now() - begun);
		if (res.statusCode >= 500 || ms >= 1_000) {
			logContext.run({ req: id }, () => console.warn(`${req.method} ${loggablePath(req.url)} → ${res.statusCode} in ${ms} ms`));
		}
	});
	logContext.run({ req: id }, () =>
		handler(req, res, () => {
			res.statusCode = 404;
			res.end('Not found');
		})
	);
});
server.on('upgrade', (req, socket, head) => {
	logContext.run({ conn: newLogId() }, () => {
		if (!collab.handleUpgrade(req, socket, head)) socket.destroy();
	});
});

// Report reminders: at start, then hourly (dedupe keys make repeats harmless; a day has 24 chances).
const remindReports = () =>
	notifyReportsDue(database.db).catch((err: unknown) => console.error('[notifications] report-due reminders failed; next try in an hour:', err));
void remindReports();
setInterval(() => void remindReports(), 3_600_000).unref();
// Email only when SMTP is configured: without it nothing tries to send.
const stopMail = config.mail ? startMailSender(database.db, config.mail, config.origin ?? `http://${config.host}:${config.port}`) : null;

server.listen(config.port, config.host, () => {
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : config.port;
	console.log(`gongjian listening on http://${config.host}:${port} (${database.kind}, ready in ${Date.now() - started} ms)`);
});

let stopping = false;
async function stop(signal: string) {
	if (stopping) return;
	stopping = true;
	console.log(`${signal}: shutting down`);
	const force = setTimeout(() => {
		console.error('shutdown took longer than 10 s; exiting');
		process.exit(1);
	}, 10_000);
	try {
		server.close();
		stopMail?.();
		await collab.shutdown();
		server.closeAllConnections();
		await database.close();
		clearTimeout(force);
		process.exit(0);
	} catch (err) {
		console.error('shutdown failed:', err);
		process.exit(1);
	}
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
