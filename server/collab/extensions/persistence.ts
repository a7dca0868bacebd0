import type { PersistenceMetrics } from '../metrics';
import { isTransactionOrigin } from '@hocuspocus/server';
import type {
	afterLoadDocumentPayload,
	afterUnloadDocumentPayload,
	beforeSyncPayload,
	beforeUnloadDocumentPayload,
	Extension,
	onChangePayload,
	onLoadDocumentPayload,
	onStoreDocumentPayload
} from '@hocuspocus/server';
import { CLOSE_CODES, CLOSE_REASONS } from '../../../src/lib/docs/closeReasons';
import type { DocStore } from '../../../src/lib/server/docStore';
import { DocumentFrozenError } from '../../../src/lib/server/docFence';
import * as Y from 'yjs';
import { addsContent, admitToShadow, checkUpdate, shadowOf } from '../../../src/lib/server/yjsUpdate';
import { ALREADY_STORED, Refusal, type CollabContext } from '../context';

const SYNC_STEP_2 = 1;
const SYNC_UPDATE = 2;
const LOAD_ORIGIN = Symbol('persistence-load');

export interface PersistenceOptions {
	/** How long an append may keep failing before the connection is closed (the client resyncs later). */
	appendGiveUpMs?: number;
	log?: (message: string, err?: unknown) => void;
	/**
	 * Asked synchronously right before an append is registered, so that a document frozen
	 * meanwhile (finalization) can never receive an update that its freeze did not wait for.
	 */
	accepts?: (documentName: string) => boolean;
	metrics?: PersistenceMetrics;
	/** A shadow unused for this long is dropped and taken again at the next update (memory of idle documents). */
	shadowIdleMs?: number;
}

/** Default for PersistenceOptions.shadowIdleMs. */
export const SHADOW_IDLE_MS = 30_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether `shadow` lacks content `live` has: some client's clock is lower in the shadow. */
function behind(shadow: Y.Doc, live: Y.Doc): boolean {
	for (const client of live.store.clients.keys()) {
		if (Y.getState(shadow.store, client) < Y.getState(live.store, client)) return true;
	}
	return false;
}

/**
 * What persistence holds for one document. Everything keyed by document name lives here, so
 * that one place (release) forgets a document once it holds nothing.
 */
interface DocState {
	/** Appends in flight, whatever their source (waitPending, drain, beforeUnloadDocument). */
	readonly appends: Set<Promise<void>>;
	/**
	 * The updates admitted to the shadow whose append is still in flight, in the order they were
	 * admitted. They are not in the live document yet, so a shadow taken again from it (after a
	 * refused update, or when it fell behind) must replay them: otherwise the next update is
	 * checked against a document that lacks them, and once they are applied the live document
	 * may meet a combination nobody checked (the socket fuzzer found such pairs: "Unexpected
	 * case" in the live apply, the rows then unloadable together).
	 */
	readonly admitted: Uint8Array[];
	/** The last admitted update's turn (settles, never rejects); see beforeSync. */
	lastTurn: Promise<void> | null;
	/** A copy that every update is tried on before it is stored (see admitToShadow), or none yet. */
	shadow: Y.Doc | null;
	/**
	 * When the shadow last checked an update. A shadow doubles a document's memory, and most
	 * loaded documents are only being read (agendas on the wall, minutes being caught up on), so
	 * a shadow is taken at a document's first update and dropped when unused for shadowIdleMs.
	 */
	shadowUsed: number;
}

/**
 * "Acknowledged" means "stored". Every update a client sends is validated and appended to
 * the update log in beforeSync, which Hocuspocus awaits before it applies and acknowledges
 * the update. While the database is unreachable the append is retried, so the client's
 * edit stays unacknowledged ("not saved") rather than acknowledged and lost.
 */
export class Persistence implements Extension {
	extensionName = 'persistence';
	// After auth, before everything that might look at the applied update.
	priority = 500;
	private readonly docs = new Map<string, DocState>();
	private shadows = 0;
	private readonly giveUpMs: number;
	private readonly log: (message: string, err?: unknown) => void;
	private readonly accepts: (documentName: string) => boolean;
	private readonly metrics: PersistenceMetrics | undefined;
	private readonly shadowIdleMs: number;
	private sweep: ReturnType<typeof setInterval> | null = null;

	constructor(
		private readonly store: () => Promise<DocStore>,
		options: PersistenceOptions = {}
	) {
		this.giveUpMs = options.appendGiveUpMs ?? 60_000;
		this.log = options.log ?? ((m, e) => console.error(`[persistence] ${m}`, e ?? ''));
		this.accepts = options.accepts ?? (() => true);
		this.metrics = options.metrics;
		this.shadowIdleMs = options.shadowIdleMs ?? SHADOW_IDLE_MS;
	}

	private state(documentName: string): DocState {
		let state = this.docs.get(documentName);
		if (!state) {
			state = { appends: new Set(), admitted: [], lastTurn: null, shadow: null, shadowUsed: 0 };
			this.docs.set(documentName, state);
		}
		return state;
	}

	/** Forgets the document once nothing of it is held any more. */
	private release(documentName: string, state: DocState): void {
		if (state.appends.size === 0 && state.admitted.length === 0 && state.lastTurn === null && state.shadow === null && this.docs.get(documentName) === state) {
			this.docs.delete(documentName);
		}
	}

	async onLoadDocument({ document, documentName }: onLoadDocumentPayload): Promise<void> {
		const store = await this.store();
		// A load failure propagates: Hocuspocus then refuses the connection and never stores
		// the empty document, and our stores only ever append, so nothing can be overwritten.
		await store.loadInto(documentName, document, LOAD_ORIGIN);
	}

	/*
	 * No shadow is taken at load: the first update takes it from the live document, once every
	 * onLoadDocument hook has run. (The minutes template is laid out by a later hook, during
	 * loading, so it never reaches onChange; a shadow taken before it would lack the template,
	 * leaving every keystroke typed into it pending in the shadow, and each check of a pending
	 * shadow encodes the whole document again.) One left from an earlier load of the same name
	 * is stale.
	 */
	async afterLoadDocument({ documentName }: afterLoadDocumentPayload): Promise<void> {
		this.dropShadow(documentName);
	}

	async afterUnloadDocument({ documentName }: afterUnloadDocumentPayload): Promise<void> {
		this.dropShadow(documentName);
	}

	/** Drops the document's shadow; the next update takes it again (as after a refused update; tests call it to force that). */
	dropShadow(documentName: string): void {
		const state = this.docs.get(documentName);
		if (!state?.shadow) return;
		state.shadow.destroy();
		state.shadow = null;
		this.shadows--;
		this.release(documentName, state);
		if (this.shadows === 0 && this.sweep) {
			clearInterval(this.sweep);
			this.sweep = null;
		}
	}

	/** Drops the shadows unused for shadowIdleMs whose document has no update in flight (they are replayed into a new one, but an idle document has none). */
	private dropIdleShadows(): void {
		const now = performance.now();
		for (const [documentName, state] of [...this.docs]) {
			if (state.shadow && now - state.shadowUsed >= this.shadowIdleMs && state.admitted.length === 0) this.dropShadow(documentName);
		}
	}

	/** Documents that hold a shadow now (tests and diagnosis). */
	shadowCount(): number {
		return this.shadows;
	}

	/** Whether the document's shadow lacks something the live document has (for tests and diagnosis). */
	shadowBehind(documentName: string, live: Y.Doc): boolean {
		const shadow = this.docs.get(documentName)?.shadow;
		return shadow ? behind(shadow, live) : false;
	}

	/** Whether the document's shadow holds updates waiting for content it does not have. */
	shadowPending(documentName: string): boolean {
		const shadow = this.docs.get(documentName)?.shadow;
		return Boolean(shadow && (shadow.store.pendingStructs !== null || shadow.store.pendingDs !== null));
	}

	private shadow(documentName: string, state: DocState, live: Y.Doc): Y.Doc {
		// The shadow may run ahead of the live document (updates admitted whose log write is in
		// flight) but never behind it: a change it missed would make every later update look
		// pending there. Should one slip past onChange, start the shadow again from the document.
		if (state.shadow && behind(state.shadow, live)) {
			this.log(`the shadow of ${documentName} missed a change; taking it again`);
			this.dropShadow(documentName);
		}
		if (!state.shadow) {
			const shadow = shadowOf(live);
			// Admitted earlier, applied to the live document once stored (the check below then
			// sees the document as it will be). If they no longer apply, the caller refuses.
			try {
				for (const update of state.admitted) Y.applyUpdate(shadow, update);
			} catch (err) {
				shadow.destroy();
				throw err;
			}
			state.shadow = shadow;
			this.shadows++;
			if (!this.sweep) {
				this.sweep = setInterval(() => this.dropIdleShadows(), Math.max(100, Math.min(this.shadowIdleMs / 2, 5_000)));
				this.sweep.unref();
			}
		}
		state.shadowUsed = performance.now();
		return state.shadow;
	}

	async beforeSync(data: beforeSyncPayload<CollabContext>): Promise<void> {
		if (data.type !== SYNC_STEP_2 && data.type !== SYNC_UPDATE) return;
		// Hocuspocus refuses read-only connections' updates itself; never store them.
		if (data.connection.readOnly) return;
		const arrived = performance.now();
		const check = checkUpdate(data.payload);
		if (!check.ok) {
			this.metrics?.refused('invalid');
			this.log(`refused an update for ${data.documentName} from ${data.context.user?.username ?? 'unknown'}: ${check.reason}`);
			throw new Refusal(CLOSE_REASONS.invalidUpdate, CLOSE_CODES.invalidUpdate);
		}
		if (check.empty) return;
		const state = this.state(data.documentName);
		let admitted: ReturnType<typeof admitToShadow>;
		try {
			admitted = admitToShadow(this.shadow(data.documentName, state, data.document), data.payload);
		} catch (err) {
			admitted = { ok: false, reason: `the shadow could not be taken again: ${(err as Error).message}` };
		}
		if (!admitted.ok) {
			// The shadow may hold half of it now: start again from the live document.
			this.dropShadow(data.documentName);
			this.release(data.documentName, state);
			this.metrics?.refused('invalid');
			this.log(`refused an update for ${data.documentName} from ${data.context.user?.username ?? 'unknown'}: ${admitted.reason}`);
			throw new Refusal(CLOSE_REASONS.invalidUpdate, CLOSE_CODES.invalidUpdate);
		}
		// No await between this check and track(): see PersistenceOptions.accepts.
		if (!this.accepts(data.documentName)) {
			// The shadow took an update the document will not: rebuild it when next needed.
			this.dropShadow(data.documentName);
			this.metrics?.refused('frozen');
			throw new Refusal(CLOSE_REASONS.documentFrozen, CLOSE_CODES.documentFrozen);
		}
		this.metrics?.accepted();
		// The sender is recorded as the author only of updates that bring something new (versions' authors).
		const author = data.context.user && addsContent(data.payload, data.document) ? data.context.user.id : null;
		state.admitted.push(data.payload);
		const stored = this.track(data.documentName, this.appendWithRetry(data.documentName, data.payload, this.giveUpMs, author)).then(() =>
			this.metrics?.stored((performance.now() - arrived) / 1000)
		);
		// Hocuspocus applies an update as soon as its beforeSync resolves; the shadow took them in
		// admission order, so they must reach the live document in that order too (a forged
		// update may be harmless after another and not before it). Appends are committed in
		// order, but a retried one can finish after a later one: each turn waits for the last.
		const previous = state.lastTurn;
		const turn = stored.then(
			() => previous ?? undefined,
			(err: unknown) => (previous ?? Promise.resolve()).then(() => Promise.reject(err))
		);
		const settled = turn.then(
			() => undefined,
			() => undefined
		);
		state.lastTurn = settled;
		const forget = () => {
			const i = state.admitted.indexOf(data.payload);
			if (i >= 0) state.admitted.splice(i, 1);
			if (state.lastTurn === settled) state.lastTurn = null;
			this.release(data.documentName, state);
		};
		try {
			await turn;
			// Still replayed into a new shadow until Hocuspocus has applied it, which it does
			// within the microtasks that follow this hook's resolution.
			setImmediate(forget);
		} catch (err) {
			forget();
			this.dropShadow(data.documentName);
			if (err instanceof Refusal && err.reason === CLOSE_REASONS.documentFrozen) this.metrics?.refused('frozen');
			if (err instanceof Refusal && err.reason === CLOSE_REASONS.storageUnavailable) {
				this.metrics?.refused('storage-unavailable');
				// Also drop the transport: the provider then reconnects on its own schedule and its
				// sync handshake resends whatever was never acknowledged.
				const socket = data.connection.webSocket;
				setTimeout(() => socket.close(CLOSE_CODES.storageUnavailable, CLOSE_REASONS.storageUnavailable), 0);
			}
			throw err;
		}
	}

	/**
	 * Changes the live document from server code the way a client's update is handled: the change
	 * is made on a copy, stored, and only then applied to the live document (and so sent to its
	 * clients). A change the database refuses (the document was fenced by another instance that
	 * this one has not heard from yet) or cannot store is thrown, and was never seen by anyone:
	 * applied first, it would stay in memory, with the clients and in projections, but never in
	 * the log.
	 */
	async applyServerChange(documentName: string, live: Y.Doc, change: (doc: Y.Doc) => void): Promise<void> {
		// A copy with a client id of its own: the live document's may be writing concurrently.
		const copy = new Y.Doc({ gc: live.gc });
		try {
			Y.applyUpdate(copy, Y.encodeStateAsUpdate(live));
			const updates: Uint8Array[] = [];
			copy.on('update', (update: Uint8Array) => updates.push(update));
			copy.transact(() => change(copy));
			if (updates.length === 0) return;
			const update = updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates);
			// No await between this check and track(): see PersistenceOptions.accepts.
			if (!this.accepts(documentName)) {
				this.metrics?.refused('frozen');
				throw new Refusal(CLOSE_REASONS.documentFrozen, CLOSE_CODES.documentFrozen);
			}
			try {
				await this.track(documentName, this.appendWithRetry(documentName, update, this.giveUpMs));
			} catch (err) {
				if (err instanceof Refusal && err.reason === CLOSE_REASONS.documentFrozen) {
					this.metrics?.refused('frozen');
					this.log(`a server-side change to ${documentName} was not stored: the document is frozen`);
				}
				throw err;
			}
			Y.applyUpdate(live, update, ALREADY_STORED);
		} finally {
			copy.destroy();
		}
	}

	/**
	 * Changes made on the server (not by a client connection) are logged here, unless they were
	 * stored before they were applied (origin ALREADY_STORED: applyServerChange, the minutes
	 * template).
	 */
	async onChange(data: onChangePayload<CollabContext>): Promise<void> {
		if (data.connection || data.transactionOrigin === LOAD_ORIGIN) return;
		const origin = data.transactionOrigin;
		// The shadow follows every change that does not come through beforeSync.
		const shadow = this.docs.get(data.documentName)?.shadow;
		if (shadow) {
			try {
				Y.applyUpdate(shadow, data.update);
			} catch (err) {
				this.log(`rebuilding the shadow of ${data.documentName}`, err);
				this.dropShadow(data.documentName);
			}
		}
		// Updates relayed from other instances were stored by the instance that received them:
		// @hocuspocus/extension-redis applies them with the origin { source: 'redis' }
		// (tests/collab/redisRelay.test.ts checks that each is stored exactly once).
		if (isTransactionOrigin(origin) && origin.source === 'redis') return;
		if (origin === ALREADY_STORED) return;
		// Hocuspocus does not await onChange, so nothing may be thrown from here; a server-side
		// change is retried for as long as the process lives and beforeUnloadDocument keeps
		// the document in memory meanwhile.
		try {
			await this.track(data.documentName, this.appendWithRetry(data.documentName, data.update, Number.POSITIVE_INFINITY));
		} catch (err) {
			if (err instanceof Refusal && err.reason === CLOSE_REASONS.documentFrozen) {
				// A server-side change that must honour a fence goes through applyServerChange.
				this.log(`a server-side change to ${data.documentName} was not logged again: the document is frozen`);
				return;
			}
			this.log(`lost track of a server-side change to ${data.documentName}`, err);
		}
	}

	async onStoreDocument({ documentName }: onStoreDocumentPayload): Promise<void> {
		const store = await this.store();
		await this.waitPending(documentName);
		await store.compact(documentName);
	}

	async beforeUnloadDocument({ documentName }: beforeUnloadDocumentPayload): Promise<void> {
		if (this.docs.get(documentName)?.appends.size) {
			// Throwing keeps the document in memory until its changes are in the log.
			throw new Error(`${documentName} still has unstored changes`);
		}
	}

	/** Resolves when every append in flight has finished (graceful shutdown). */
	async drain(): Promise<void> {
		const all = [...this.docs.values()].flatMap((s) => [...s.appends]);
		await Promise.allSettled(all);
		await (await this.store()).drain();
	}

	/** Resolves when every append in flight for the document has finished. */
	async waitPending(documentName: string): Promise<void> {
		const appends = this.docs.get(documentName)?.appends;
		if (appends?.size) await Promise.allSettled([...appends]);
	}

	private async track(documentName: string, work: Promise<void>): Promise<void> {
		const state = this.state(documentName);
		state.appends.add(work);
		try {
			await work;
		} finally {
			state.appends.delete(work);
			this.release(documentName, state);
		}
	}

	private async appendWithRetry(documentName: string, update: Uint8Array, giveUpMs: number, userId: string | null = null): Promise<void> {
		const store = await this.store();
		const started = Date.now();
		let delay = 100;
		for (let attempt = 1; ; attempt++) {
			try {
				await store.append(documentName, update, userId);
				if (attempt > 1) this.log(`stored an update for ${documentName} after ${attempt} attempts`);
				return;
			} catch (err) {
				// A fence is an answer, not a failure: retrying could never store it.
				if (err instanceof DocumentFrozenError) throw new Refusal(CLOSE_REASONS.documentFrozen, CLOSE_CODES.documentFrozen);
				this.metrics?.storeFailed();
				if (attempt === 1) this.log(`could not store an update for ${documentName}, retrying:`, (err as Error).message);
				if (Date.now() - started > giveUpMs) {
					throw new Refusal(CLOSE_REASONS.storageUnavailable, CLOSE_CODES.storageUnavailable);
				}
				await sleep(delay);
				delay = Math.min(delay * 2, 2000);
			}
		}
	}
}
