import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import * as Y from 'yjs';
import { CLIENT_SCHEMA_VERSION, SCHEMA_PARAM } from '../../src/lib/docs/schemaVersion';

export interface TestClient {
	doc: Y.Doc;
	provider: HocuspocusProvider;
	socket: HocuspocusProviderWebsocket;
	/** Reasons given by the server when it refused authentication. */
	refusals: string[];
	closes: { code: number; reason: string }[];
	destroy(): void;
}

/** `schema: null` connects like a client built before schema versions existed (sends none). */
export function connect(url: string, name: string, token: string | null, options: { connect?: boolean; schema?: number | null } = {}): TestClient {
	const doc = new Y.Doc();
	if (options.schema !== null) url = `${url}${url.includes('?') ? '&' : '?'}${SCHEMA_PARAM}=${options.schema ?? CLIENT_SCHEMA_VERSION}`;
	const refusals: string[] = [];
	const closes: { code: number; reason: string }[] = [];
	const socket = new HocuspocusProviderWebsocket({
		url,
		// Tests want quick reconnects after a server restart.
		delay: 100,
		minDelay: 100,
		maxDelay: 500,
		factor: 1.5,
		autoConnect: options.connect ?? true
	});
	const provider = new HocuspocusProvider({
		websocketProvider: socket,
		name,
		document: doc,
		token,
		onAuthenticationFailed: ({ reason }) => refusals.push(reason),
		// The server's protocol-level close carries the reason (the socket may stay open).
		onClose: ({ event }) => closes.push({ code: event.code, reason: event.reason })
	});
	provider.attach();
	return {
		doc,
		provider,
		socket,
		refusals,
		closes,
		destroy() {
			provider.destroy();
			socket.destroy();
			doc.destroy();
		}
	};
}

export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!predicate()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 10));
	}
}

export const waitSynced = (c: TestClient, timeoutMs?: number) => waitFor(() => c.provider.isSynced, 'sync', timeoutMs);
/** The server has acknowledged every local change. */
export const waitAcked = (c: TestClient, timeoutMs?: number) =>
	waitFor(() => c.provider.isSynced && !c.provider.hasUnsyncedChanges, 'acknowledgement', timeoutMs);
