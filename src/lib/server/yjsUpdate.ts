import * as Y from 'yjs';

/** No update can be larger than a frame (server/collab/upgrade.ts MAX_PAYLOAD). */
export const MAX_UPDATE_BYTES = 1024 * 1024;

/**
 * Options for the documents the gate makes per update. Without a guid, Y.Doc draws a random
 * UUID one random hex digit at a time (lib0's uuidv4, ~30 calls into the crypto RNG): 137 µs per
 * document against 8 µs with a fixed guid, which these documents never need (they are not
 * subdocuments and are never synced under their guid).
 */
export const SCRATCH_DOC = { guid: 'gongjian-scratch' } as const;

/**
 * Whether an item refers (left or right origin, parent) to an item of its own client that is not
 * older than itself. Yjs never writes one: what an item is inserted next to or into existed
 * before it. Yjs assumes so too: it takes an item's own client's earlier clocks as present and
 * looks those references up without checking, so the lookup runs past the end of the client's
 * structs and throws — in the live document, though not on the gate's copies, whose state can
 * differ where something is pending (found by tests/collab/socketFuzz.test.ts; the update is
 * tests/fixtures/yjs-fuzz/self-forward-parent.bin).
 */
function refersAhead(struct: Y.Item | Y.GC | Y.Skip): boolean {
	if (!(struct instanceof Y.Item)) return false;
	const { client, clock } = struct.id;
	const ahead = (ref: Y.ID | null) => ref !== null && ref.client === client && ref.clock >= clock;
	return ahead(struct.origin) || ahead(struct.rightOrigin) || (struct.parent instanceof Y.ID && ahead(struct.parent));
}

export type UpdateCheck = { ok: true; empty: boolean } | { ok: false; reason: string };

/**
 * Decides whether a client's V1 update may be stored and applied.
 *
 * Decoding is not enough: some updates decode and apply cleanly and only then make every
 * later encode of the document throw (shared/fixtures/yjs/poison-v1.bin). So the update is
 * applied to an empty scratch document that is then encoded; an update that breaks the
 * scratch copy never reaches the live document or the log.
 */
export function checkUpdate(update: Uint8Array): UpdateCheck {
	if (update.byteLength > MAX_UPDATE_BYTES) return { ok: false, reason: `update too large (${update.byteLength} bytes)` };
	let empty: boolean;
	try {
		const decoded = Y.decodeUpdate(update);
		empty = decoded.structs.length === 0 && decoded.ds.clients.size === 0;
		const forward = decoded.structs.find(refersAhead);
		if (forward) return { ok: false, reason: `item ${forward.id.client}:${forward.id.clock} refers to a later item of its own client` };
	} catch (err) {
		return { ok: false, reason: `undecodable update: ${(err as Error).message}` };
	}
	if (empty) return { ok: true, empty };
	const scratch = new Y.Doc(SCRATCH_DOC);
	try {
		Y.applyUpdate(scratch, update);
		Y.encodeStateAsUpdate(scratch);
		Y.encodeStateVector(scratch);
	} catch (err) {
		return { ok: false, reason: `update breaks the document: ${(err as Error).message}` };
	} finally {
		scratch.destroy();
	}
	return { ok: true, empty };
}

/**
 * The second half of the gate, against what the document already holds. An update can be
 * harmless on an empty document (its references merely pending) and throw when it meets the
 * document's own items — an item restating a clock the document has, with an origin that does
 * not exist — and once logged it would make the document unloadable. So every update is also
 * applied to a shadow of the live document (server/collab/extensions/persistence.ts keeps one
 * per loaded document); an update the shadow cannot take is refused, and the caller rebuilds
 * the shadow from the live document, whose state it may have left half-applied.
 */
export function admitToShadow(shadow: Y.Doc, update: Uint8Array): UpdateCheck {
	try {
		Y.applyUpdate(shadow, update);
		Y.encodeStateVector(shadow);
		// Parts waiting for content the document does not have yet are legitimate (a keystroke
		// can overtake the sync that brings what it builds on), but they are merged into every
		// snapshot and every new client's first sync, and some forged combinations make that
		// merged state throw when loaded (found by tests/unit/fuzzUpdates.test.ts). So while
		// anything is pending, the whole state must still load into a fresh document. Rare, so
		// the cost of encoding the document is paid only then.
		assertReloads(shadow);
	} catch (err) {
		return { ok: false, reason: `update breaks the document: ${(err as Error).message}` };
	}
	return { ok: true, empty: false };
}

/**
 * Throws unless the document's whole state loads into a fresh document. Only in doubt while
 * something in it waits for missing content (see admitToShadow), so only then is the state
 * encoded and loaded again.
 */
export function assertReloads(doc: Y.Doc): void {
	if (doc.store.pendingStructs === null && doc.store.pendingDs === null) return;
	const probe = new Y.Doc({ ...SCRATCH_DOC, gc: doc.gc });
	try {
		Y.applyUpdate(probe, Y.encodeStateAsUpdate(doc));
	} finally {
		probe.destroy();
	}
}

/** A fresh shadow of a live document. */
export function shadowOf(doc: Y.Doc): Y.Doc {
	const shadow = new Y.Doc({ ...SCRATCH_DOC, gc: doc.gc });
	Y.applyUpdate(shadow, Y.encodeStateAsUpdate(doc));
	return shadow;
}

/**
 * Whether a client's (V1) update brings content the document does not have yet. A provider
 * resends everything it holds when it reconnects (and a browser's offline copy holds all the
 * others' text): such a resend must not make its sender an author. Known limit: an update
 * carrying only deletions counts as new; one mixing known content with new deletions does not.
 */
export function addsContent(update: Uint8Array, doc: Y.Doc): boolean {
	const clocks = Y.decodeStateVector(Y.encodeStateVectorFromUpdate(update));
	if (clocks.size === 0) return true;
	for (const [client, clock] of clocks) if (clock > Y.getState(doc.store, client)) return true;
	return false;
}
