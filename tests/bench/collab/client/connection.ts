import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import { WebsocketProvider } from 'y-websocket';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { CLIENT_SCHEMA_VERSION, SCHEMA_PARAM } from '../../../../src/lib/docs/schemaVersion';
import type { SystemName } from '../protocol';

/**
 * One simulated person: a Y.Doc on its own WebSocket, opened with the provider that system's
 * users would run. Every system gets the same WebSocket implementation (the ws package) and
 * the providers' defaults (awareness on, every change sent at once), so differences come
 * from the servers and their protocols, not from the client set-up.
 */
export interface BenchClient {
	doc: Y.Doc;
	synced(): boolean;
	/** The server granted a read-only connection (gongjian: the user may not write this document). */
	readOnly(): boolean;
	/** Closed for good by the server (refused authentication or a close it gave a reason for). */
	failure(): string | null;
	destroy(): void;
}

export function openClient(system: SystemName, url: string, name: string, token: string | null): BenchClient {
	return system === 'ywebsocket' ? openYWebsocket(url, name) : openHocuspocus(system, url, name, token);
}

function openHocuspocus(system: SystemName, url: string, name: string, token: string | null): BenchClient {
	const doc = new Y.Doc();
	let failure: string | null = null;
	const socket = new HocuspocusProviderWebsocket({
		// gongjian refuses clients that do not say which document schema they speak.
		url: system === 'ours' ? `${url}?${SCHEMA_PARAM}=${CLIENT_SCHEMA_VERSION}` : url,
		WebSocketPolyfill: WebSocket,
		// A bench must notice refusals rather than retry them forever.
		maxAttempts: 3
	});
	const provider = new HocuspocusProvider({
		websocketProvider: socket,
		name,
		document: doc,
		token,
		onAuthenticationFailed: ({ reason }) => (failure = `authentication failed: ${reason}`),
		onClose: ({ event }) => {
			if (process.env.BENCH_DEBUG) console.error(`[client ${name}] close ${event.code} ${event.reason}`);
			if (event.code >= 4000) failure = `closed ${event.code} ${event.reason}`;
		},
		onStatus: ({ status }) => {
			if (process.env.BENCH_DEBUG) console.error(`[client ${name}] ${status}`);
		}
	});
	provider.attach();
	return {
		doc,
		synced: () => provider.isSynced,
		readOnly: () => provider.authorizedScope === 'readonly',
		failure: () => failure,
		destroy() {
			provider.destroy();
			socket.destroy();
			doc.destroy();
		}
	};
}

/*
 * y-websocket types its polyfill as the DOM WebSocket class; ws implements the same surface
 * (it is the polyfill y-websocket's own README suggests for Node) but is declared separately.
 */
const WsAsDomWebSocket = WebSocket as unknown as typeof globalThis.WebSocket;

function openYWebsocket(url: string, name: string): BenchClient {
	const doc = new Y.Doc();
	let failure: string | null = null;
	const provider = new WebsocketProvider(url, name, doc, { WebSocketPolyfill: WsAsDomWebSocket, disableBc: true });
	provider.on('connection-close', (event) => {
		if (event && event.code >= 4000) failure = `closed ${event.code} ${event.reason}`;
	});
	return {
		doc,
		synced: () => provider.synced,
		readOnly: () => false,
		failure: () => failure,
		destroy() {
			provider.destroy();
			doc.destroy();
		}
	};
}
