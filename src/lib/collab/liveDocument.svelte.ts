import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
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
	/** The transport, this page's own: it connects only once the local copy is read (see the constructor). */
	private readonly socket: HocuspocusProviderWebsocket;
	connection = $state<ConnectionState>('connecting');
	synced = $state(false);
	unsynced = $state(0);
	readOnly = $state(false);
	/** The access the server granted on the last authentication (null before the first). */
	scope = $state<'readonly' | 'read-write' | null>(null);
	/** Why the server refused or closed the connection for good (a collab.reason.* key suffix). */
	refusal = $state<string | null>(null);
	/**
	 * The server refused this browser's changes because the document is frozen (a finalized
	 * record), and has not taken them since. Not a refusal for good: a reopened record takes
	 * them again (see onFrozen).
	 */
	frozen = $state(false);
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
	private readonly onOffline = () => this.socket.disconnect();
	private readonly onOnline = () => this.connectIfReady();

	constructor(name: string, me: { id: string; name: string }) {
		// The schema version tells the server which document shapes this build understands.
		const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/collab?${SCHEMA_PARAM}=${CLIENT_SCHEMA_VERSION}`;
		// Connected by hand once the local copy is in the document (see below).
		this.socket = new HocuspocusProviderWebsocket({ url, autoConnect: false });
		this.provider = new HocuspocusProvider({
			websocketProvider: this.socket,
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
				// A writable connection acknowledged everything, the handshake too (which a frozen
				// document refuses): the document takes writes again, and took the refused changes.
				if (number === 0 && this.frozen && this.provider.isAuthenticated && !this.readOnly) {
					this.frozen = false;
					this.retryDelayMs = 1_000;
				}
			},
			onAuthenticated: ({ scope }) => {
				this.readOnly = scope === 'readonly';
				this.scope = scope === 'readonly' ? 'readonly' : 'read-write';
				this.refusal = null;
				// While frozen, a writable authentication does not mean the freeze is over (see onFrozen).
				if (!this.frozen) this.retryDelayMs = 1_000;
			},
			onAuthenticationFailed: ({ reason }) => {
				this.socket.disconnect();
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
				if (event.reason === CLOSE_REASONS.documentFrozen) {
					this.onFrozen();
					return;
				}
				// Protocol-level closes that retrying cannot fix: say why and stop.
				if (['invalid-update', 'outdated-client', 'forbidden-change'].includes(event.reason)) {
					this.refusal = event.reason;
				}
			},
			onAwarenessChange: () => this.refreshPeople()
		});
		this.provider.attach();
		this.me = { id: me.id, name: me.name, color: colorFor(me.id) };
		this.provider.setAwarenessField('user', this.me);
		this.refreshPeople();
		// Per person: on a shared phone one official's drafts must not open in another's session.
		this.local = typeof indexedDB === 'undefined' ? null : new IndexeddbPersistence(localName(me.id, name), this.doc);
		/*
		 * Connect only once the local copy is in the document: the sync handshake then carries all
		 * this browser holds, and the server answers it. On a read-only connection that answer is
		 * the only one there is (updates sent later are never acknowledged there), and it tells
		 * whether this browser holds changes the server does not have (edits refused when a record
		 * was finalized): saveState must not call those saved.
		 */
		const ready = () => {
			this.localReady = true;
			this.connectIfReady();
		};
		if (this.local) {
			this.local.whenSynced.then(ready, (err: unknown) => {
				// Without the local copy the page still works online; say why in the console.
				console.error(`[live] could not open the local copy of ${name}`, err);
				ready();
			});
		} else ready();
		// The browser knows before the socket does that the network is gone: show it at once and
		// stop retrying into nothing; come back as soon as the network does.
		window.addEventListener('offline', this.onOffline);
		window.addEventListener('online', this.onOnline);
	}

	private connectIfReady(): void {
		if (this.localReady && this.refusal === null) void this.socket.connect();
	}

	private retryTimer: ReturnType<typeof setTimeout> | null = null;
	private retryDelayMs = 1_000;

	private retryLater(): void {
		if (this.retryTimer) return;
		this.connection = 'connecting';
		this.retryTimer = setTimeout(() => {
			this.retryTimer = null;
			this.connectIfReady();
		}, this.retryDelayMs);
		this.retryDelayMs = Math.min(this.retryDelayMs * 2, 15_000);
	}

	/*
	 * The server refused a change because the document is frozen (finalized, or being finalized).
	 * It closed this document only, on a socket it keeps open, and its reconnect() after the
	 * finalization or a reopening reaches only the document's current connections: without a
	 * new transport this page would stay detached, refused even after the record is reopened,
	 * until reloaded. So drop the transport and come back: the new connection is authenticated
	 * afresh, read-only while the record is final (writable again, and refused again, while the
	 * finalization is still being committed: hence the growing delay).
	 *
	 * The refused changes stay in this document and its local copy, shown as not stored, and go
	 * to the server with the next writable handshake, i.e. once the record is reopened: they are
	 * the person's own words, typed in good faith a moment too late, and dropping them silently
	 * would lose work that the person saw on the screen. Yjs cannot take them back out of the
	 * document either; what it can do is say plainly that they are not stored.
	 */
	private onFrozen(): void {
		this.frozen = true;
		this.socket.disconnect();
		this.retryLater();
	}

	/** Whether the person may edit now, as far as the connection goes (the page adds its own rules). */
	get writable(): boolean {
		return !this.readOnly && this.refusal === null && !this.frozen;
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

	get saveState(): 'saving' | 'unsaved' | 'notStored' | 'saved' | 'offline' | 'connecting' {
		// Refused by a frozen document: not stored, whatever the connection does meanwhile.
		if (this.frozen && this.unsynced > 0) return 'notStored';
		if (this.connection === 'offline') return 'offline';
		if (!this.synced) return 'connecting';
		if (this.unsynced === 0) return 'saved';
		if (!this.stalled) return 'saving';
		// Unanswered on a read-only connection: the server does not have these changes and will
		// not take them (the local copy is read before connecting, so they are not its replay).
		return this.readOnly ? 'notStored' : 'unsaved';
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
		this.socket.destroy();
		this.doc.destroy();
	}
}
