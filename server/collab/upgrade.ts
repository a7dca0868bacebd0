import { logContext, newLogId } from '../../src/lib/server/log';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Hocuspocus } from '@hocuspocus/server';
import { WebSocketServer, type RawData } from 'ws';
import { CLOSE_REASONS } from '../../src/lib/docs/closeReasons';
import type { CollabContext } from './context';

export const COLLAB_PATH = '/collab';
/** Large enough for a long document's first sync, small enough that one client cannot exhaust memory (larger frames: 1009). */
export const MAX_PAYLOAD = 1024 * 1024;

/**
 * What one connection may send in a second. People typing send a few messages a second (an
 * update and an awareness change per keystroke, for each document on the socket); a flood —
 * before or after authentication — is closed with 1008 before it can queue up memory.
 */
export const RATE_LIMIT = { messages: 200, bytes: 4 * 1024 * 1024, windowMs: 1000 } as const;

/**
 * What a connection may send before any document on it has authenticated. Hocuspocus queues
 * messages that arrive while onAuthenticate is pending (up to 5 MiB and 1,000 messages per
 * connection, for 30 s), so a crowd of sockets that never authenticate could hold hundreds of
 * megabytes. A provider sends its token, a state vector and its awareness before the answer:
 * a few kilobytes per document, so 128 KiB leaves room for a page with many documents.
 */
export const PRE_AUTH_LIMIT = { messages: 100, bytes: 128 * 1024 } as const;

export interface ConnectionLimits {
	/** Messages and bytes per window, after and before authentication (1008 rate-limited). */
	messages: number;
	bytes: number;
	windowMs: number;
	/** Messages and bytes before the first authenticated document (1008 pre-auth-limit). */
	preAuthMessages: number;
	preAuthBytes: number;
}

export const DEFAULT_LIMITS: ConnectionLimits = {
	messages: RATE_LIMIT.messages,
	bytes: RATE_LIMIT.bytes,
	windowMs: RATE_LIMIT.windowMs,
	preAuthMessages: PRE_AUTH_LIMIT.messages,
	preAuthBytes: PRE_AUTH_LIMIT.bytes
};

export interface UpgradeOptions {
	/** The configured ORIGIN; when null, a browser's Origin must match the Host it connected to. */
	origin: string | null;
	maxPayload?: number;
	/** Overrides of DEFAULT_LIMITS (load tests, the socket fuzzer); each a positive whole number. */
	limits?: Partial<ConnectionLimits>;
}

/** The limits in force: the defaults with the overrides, refused when an override is not a positive whole number. */
export function connectionLimits(overrides: Partial<ConnectionLimits> = {}): ConnectionLimits {
	const limits = { ...DEFAULT_LIMITS };
	for (const key of Object.keys(DEFAULT_LIMITS) as (keyof ConnectionLimits)[]) {
		const value = overrides[key];
		if (value === undefined) continue;
		if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`connection limit ${key} must be a positive whole number, got ${String(value)}`);
		limits[key] = value;
	}
	return limits;
}

export function originAllowed(origin: string, host: string | undefined, configured: string | null): boolean {
	if (configured) return origin === configured;
	try {
		return host !== undefined && new URL(origin).host === host;
	} catch {
		return false;
	}
}

function toUint8Array(data: RawData): Uint8Array {
	if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
	if (data instanceof ArrayBuffer) return new Uint8Array(data);
	return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function refuse(socket: Duplex, status: number, text: string): void {
	socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${text}`);
}

/**
 * Turns `upgrade` events on /collab into Hocuspocus connections. Returns a handler that
 * answers true when it took the request (so the dev server's other sockets, like Vite's HMR,
 * are left alone).
 */
export function createUpgradeHandler(hocuspocus: Hocuspocus<CollabContext>, options: UpgradeOptions) {
	const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayload ?? MAX_PAYLOAD });
	const limits = connectionLimits(options.limits);

	const handle = (req: IncomingMessage, socket: Duplex, head: Buffer): boolean => {
		const url = new URL(req.url ?? '/', 'http://localhost');
		if (url.pathname !== COLLAB_PATH) return false;
		const origin = req.headers.origin;
		// Browsers always send Origin on WebSocket upgrades; a foreign one is a cross-site
		// attempt to ride the user's cookie.
		if (origin !== undefined && !originAllowed(origin, req.headers.host, options.origin)) {
			refuse(socket, 403, 'Forbidden');
			return true;
		}
		wss.handleUpgrade(req, socket, head, (ws) => {
			const headers = new Headers();
			for (const [name, value] of Object.entries(req.headers)) {
				if (typeof value === 'string') headers.set(name, value);
				else if (Array.isArray(value)) headers.set(name, value.join(', '));
			}
			const request = new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, { headers });
			// The auth extension calls this once a document on the connection authenticated.
			let authenticated = false;
			const connection = hocuspocus.handleConnection(ws, request, { cookieAllowed: origin !== undefined, authenticated: () => (authenticated = true) });
			// Socket events do not run in the upgrade's async context: carry the connection id over,
			// so every line logged while handling this connection's messages names it.
			const logIds = logContext.getStore() ?? { conn: newLogId() };
			let windowStart = Date.now();
			let messages = 0;
			let bytes = 0;
			let preAuthMessages = 0;
			let preAuthBytes = 0;
			let limited = false;
			const limit = (reason: string, detail: string) => {
				limited = true;
				console.warn(`[collab] closing a connection from ${req.socket.remoteAddress ?? '?'}: ${detail}`);
				ws.close(1008, reason);
			};
			ws.on('message', (data) => {
				if (limited) return;
				const message = toUint8Array(data);
				const now = Date.now();
				if (now - windowStart >= limits.windowMs) {
					windowStart = now;
					messages = 0;
					bytes = 0;
				}
				messages++;
				bytes += message.byteLength;
				if (messages > limits.messages || bytes > limits.bytes) {
					limit(CLOSE_REASONS.rateLimited, `${messages} messages, ${bytes} bytes within ${limits.windowMs} ms`);
					return;
				}
				if (!authenticated) {
					preAuthMessages++;
					preAuthBytes += message.byteLength;
					if (preAuthMessages > limits.preAuthMessages || preAuthBytes > limits.preAuthBytes) {
						limit(CLOSE_REASONS.preAuthLimit, `${preAuthMessages} messages, ${preAuthBytes} bytes before authenticating`);
						return;
					}
				}
				logContext.run(logIds, () => connection.handleMessage(message));
			});
			ws.on('close', (code, reason) => logContext.run(logIds, () => connection.handleClose({ code, reason: reason.toString() })));
			ws.on('error', (err) => logContext.run(logIds, () => console.error('[collab] websocket error:', err.message)));
		});
		return true;
	};

	return {
		handle,
		/**
		 * Closes every client's transport with 1012 (service restart), so providers reconnect on
		 * their own — to this instance after a restart, or to another one — and resend anything
		 * unacknowledged. ws does not close clients itself and would wait for them forever.
		 */
		async close() {
			for (const ws of wss.clients) ws.close(1012, 'shutting-down');
			const deadline = Date.now() + 1000;
			while (wss.clients.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
			for (const ws of wss.clients) ws.terminate();
			await new Promise<void>((resolve) => wss.close(() => resolve()));
		},
		clients: () => wss.clients.size
	};
}
