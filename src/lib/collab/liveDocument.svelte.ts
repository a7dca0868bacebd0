import { HocuspocusProvider } from '@hocuspocus/provider';
import { IndexeddbPersistence } from 'y-indexeddb';
import * as Y from 'yjs';
import { CLIENT_SCHEMA_VERSION, SCHEMA_PARAM } from '../docs/schemaVersion';
import { CLOSE_REASONS } from '../docs/closeReasons';
import { colorFor } from '../domain/presence';

/** The IndexedDB database holding one person's copy of one document. */
export const localName = (userId: string, docName: string) => `gongjian/${userId}/${docName}`;

export type ConnectionState = 'connecting' | 'connected' | 'offline';

export interface PresentUser {
	clientId: number;
	id: string;
	name: string;
	color: string;
	readOnly: boolean;
	focus: { itemId: string; field: string } | null;
	isMe: boolean;
}

/**
 * One live document in the browser: the Yjs doc, its provider and the states the page shows
 * (connection, saving, who is here). A rune class, created per page, never at module level.
 */
const STALL_MS = 3_000;

export class LiveDocument {
	readonly doc = new Y.Doc();
	readonly provider: HocuspocusProvider;
	connection = $state<ConnectionState>('connecting');
	synced = $state(false);
	unsynced = $state(0);
	readOnly = $state(false);
	/** Why the server refused or closed the connection (a collab.reason.* key suffix). */
	refusal = $state<string | null>(null);
	people = $state<PresentUser[]>([]);
	/** How this person appears to others (the server enforces the same fields). */
	readonly me: { id: string; name: string; color: string };
	/**
	 * The copy kept in this browser (IndexedDB): a page opened before works without a network,
	 * and edits made offline survive a reload or a closed tab until the server has them.
	 */
	private readonly local: IndexeddbPersistence | null;
	/** The local copy has been read into the document (or there is none). */
	localReady = $state(false);
	private readonly onOffline = () => this.provider.disconnect();
	private readonly onOnline = () => {
		if (this.refusal === null) void this.provider.connect();
	};

	constructor(name: string, me: { id: string; name: string }) {
		// The schema version tells the server which document shapes this build understands.
		const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/collab?${SCHEMA_PARAM}=${CLIENT_SCHEMA_VERSION}`;
		this.provider = new HocuspocusProvider({
			url,
			name,
			document: this.doc,
			// The session cookie authenticates; the server checks the Origin of the upgrade.
			token: null,
			onStatus: ({ status }) => {
				this.connection = status === 'connected' ? 'connected' : status === 'connecting' ? 'connecting' : 'offline';
			},
			onSynced: ({ state }) => {
				this.synced = state;
			},
			onUnsyncedChanges: ({ number }) => {
				this.unsynced = number;
				this.watchStall();
			},
			onAuthenticated: ({ scope }) => {
				this.readOnly = scope === 'readonly';
				this.refusal = null;
				this.retryDelayMs = 1_000;
			},
			onAuthenticationFailed: ({ reason }) => {
				this.provider.disconnect();
				if (reason === CLOSE_REASONS.storageUnavailable) {
					// The server could not check access (its database is unreachable): not a refusal,
					// so try again, less often the longer it lasts.
					this.retryLater();
					return;
				}
				this.refusal = reason;
				// A refusal will not change by retrying.
			},
			onClose: ({ event }) => {
				// Protocol-level closes that retrying cannot fix: say why and stop.
				if (['invalid-update', 'document-frozen', 'outdated-client', 'forbidden-change'].includes(event.reason)) {
					this.refusal = event.reason;
				}
			},
			onAwarenessChange: () => this.refreshPeople()
		});
		this.me = { id: me.id, name: me.name, color: colorFor(me.id) };
		this.provider.setAwarenessField('user', this.me);
		this.refreshPeople();
		// Per person: on a shared phone one official's drafts must not open in another's session.
		this.local = typeof indexedDB === 'undefined' ? null : new IndexeddbPersistence(localName(me.id, name), this.doc);
		if (this.local) {
			this.local.whenSynced.then(
				() => (this.localReady = true),
				(err: unknown) => {
					// Without the local copy the page still works online; say why in the console.
					console.error(`[live] could not open the local copy of ${name}`, err);
					this.localReady = true;
				}
			);
		} else this.localReady = true;
		// The browser knows before the socket does that the network is gone: show it at once and
		// stop retrying into nothing; come back as soon as the network does.
		window.addEventListener('offline', this.onOffline);
		window.addEventListener('online', this.onOnline);
	}

	private retryTimer: ReturnType<typeof setTimeout> | null = null;
	private retryDelayMs = 1_000;

	private retryLater(): void {
		if (this.retryTimer) return;
		this.connection = 'connecting';
		this.retryTimer = setTimeout(() => {
			this.retryTimer = null;
			if (this.refusal === null) void this.provider.connect();
		}, this.retryDelayMs);
		this.retryDelayMs = Math.min(this.retryDelayMs * 2, 15_000);
	}

	/** Changes have waited for the server's acknowledgement longer than a save takes. */
	stalled = $state(false);
	private stallTimer: ReturnType<typeof setTimeout> | null = null;

	/*
	 * "Saving…" that never ends reads as saved. After STALL_MS without an acknowledgement (the
	 * server cannot store: its database is down) the page says plainly that changes are not saved.
	 */
	private watchStall(): void {
		if (this.unsynced === 0) {
			if (this.stallTimer) clearTimeout(this.stallTimer);
			this.stallTimer = null;
			this.stalled = false;
			return;
		}
		this.stallTimer ??= setTimeout(() => {
			this.stallTimer = null;
			this.stalled = this.unsynced > 0;
		}, STALL_MS);
	}

	get saveState(): 'saving' | 'unsaved' | 'saved' | 'offline' | 'connecting' {
		if (this.connection === 'offline') return 'offline';
		if (!this.synced) return 'connecting';
		// A read-only connection is never answered for the updates the local copy replays on
		// opening (y-indexeddb applies them as changes); they are the server's own anyway.
		if (this.readOnly) return 'saved';
		if (this.unsynced === 0) return 'saved';
		return this.stalled ? 'unsaved' : 'saving';
	}

	setFocus(focus: { itemId: string; field: string } | null): void {
		this.provider.setAwarenessField('focus', focus);
	}

	private refreshPeople(): void {
		const awareness = this.provider.awareness;
		if (!awareness) return;
		const list: PresentUser[] = [];
		awareness.getStates().forEach((state, clientId) => {
			const user = state.user as { id?: string; name?: string; color?: string; readOnly?: boolean } | undefined;
			if (!user?.id) return;
			const focus = state.focus as { itemId?: string; field?: string } | null | undefined;
			list.push({
				clientId,
				id: user.id,
				name: user.name ?? '',
				color: user.color ?? '#5b636e',
				readOnly: user.readOnly ?? false,
				focus: focus?.itemId && focus.field ? { itemId: focus.itemId, field: focus.field } : null,
				isMe: clientId === this.doc.clientID
			});
		});
		this.people = list;
	}

	destroy(): void {
		window.removeEventListener('offline', this.onOffline);
		window.removeEventListener('online', this.onOnline);
		if (this.retryTimer) clearTimeout(this.retryTimer);
		if (this.stallTimer) clearTimeout(this.stallTimer);
		// Closes the local database; what it holds stays for the next visit.
		void this.local?.destroy();
		this.provider.destroy();
		this.doc.destroy();
	}
}
