import type * as Y from 'yjs';

/*
 * How record lifecycle code (SvelteKit actions, the API) reaches the collaboration server
 * running in the same process (which passes freezes, thaws and reconnects on to the other
 * instances: server/collab/controlBus.ts). The server registers itself on globalThis — the SvelteKit
 * bundle and the collaboration server are separate module graphs in production — and when no
 * collaboration server runs (unit tests, scripts) the calls do nothing.
 */
export interface CollabControl {
	/**
	 * Stops accepting writes to these documents on every instance (a fence in the database) and
	 * waits until every write in flight, on any instance, is stored.
	 */
	freeze(docNames: string[]): Promise<void>;
	/** Accepts writes again (a failed finalization, a reopened meeting): removes the fences. */
	thaw(docNames: string[]): Promise<void>;
	/** Access to these documents changed: drop their clients' transports so they reconnect under the new rights. */
	reconnect(docNames: string[]): void;
	/** A person's rights changed (removed from a committee, another role): drop their transports so they reconnect under the new ones, or are refused. */
	reconnectUser(userId: string): void;
	/**
	 * Changes a live document on the server as one transaction, so that connected clients see
	 * it at once. The change is stored before anyone sees it: it rejects, leaving the document
	 * as it was, when the document is frozen (also by a fence this instance has not heard of yet)
	 * or the change cannot be stored. Absent when no collaboration server runs.
	 */
	edit?(docName: string, change: (doc: Y.Doc) => void): Promise<void>;
}

const KEY = Symbol.for('gongjian.collabControl');
const NOOP: CollabControl = { freeze: async () => undefined, thaw: async () => undefined, reconnect: () => undefined, reconnectUser: () => undefined };

export function registerCollabControl(control: CollabControl | null): void {
	(globalThis as unknown as Record<symbol, CollabControl | null>)[KEY] = control;
}

export function collabControl(): CollabControl {
	return (globalThis as unknown as Record<symbol, CollabControl | null | undefined>)[KEY] ?? NOOP;
}
