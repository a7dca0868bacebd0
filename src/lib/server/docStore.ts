import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import * as Y from 'yjs';
import type { DbOrTx } from './db';
import { assertReloads } from './yjsUpdate';
import { docQuarantine, docSnapshots, docUpdates } from './db/schema';
import { DocumentFrozenError } from './docFence';

/*
 * Durable storage of live documents: an append-only update log plus a compacted snapshot.
 *
 * - append(): an update is written to the log before the server applies and acknowledges
 *   it. Concurrent appends are group-committed into one INSERT (one round trip, one fsync).
 *   An append to a fenced document (docFence.ts) rejects with DocumentFrozenError.
 * - load(): snapshot + every remaining log row.
 * - compact(): merges the rows it read into a new snapshot and deletes exactly those rows,
 *   in one transaction, under a per-document advisory lock, so two instances compacting the
 *   same document at once cannot delete a row that was not merged. ("Delete everything up
 *   to the highest id merged" would be wrong: ids from different connections can commit out
 *   of order, and a row with a lower id may become visible after we read.)
 */

interface Pending {
	docName: string;
	update: Uint8Array;
	userId: string | null;
	resolve: () => void;
	reject: (err: unknown) => void;
}

export interface LoadedDocument {
	snapshot: Uint8Array | null;
	updates: Uint8Array[];
}

export class DocStore {
	private queue: Pending[] = [];
	private flushing: Promise<void> | null = null;
	/** Largest batch written so far; reported by benchmarks. */
	maxBatch = 0;

	// A transaction handle works too: reads then see the transaction's snapshot.
	constructor(private readonly db: DbOrTx) {}

	/** `userId`: who sent the update (null for the server's own changes); versions list them as authors. */
	append(docName: string, update: Uint8Array, userId: string | null = null): Promise<void> {
		return new Promise<void>((resolve, reject) => {
			this.queue.push({ docName, update, userId, resolve, reject });
			this.flushing ??= this.flushLoop();
		});
	}

	/** Resolves once every append made so far has been written or has failed. */
	async drain(): Promise<void> {
		while (this.flushing) await this.flushing;
	}

	private async flushLoop(): Promise<void> {
		try {
			while (this.queue.length > 0) {
				const batch = this.queue.splice(0, 500);
				this.maxBatch = Math.max(this.maxBatch, batch.length);
				try {
					// RETURNING costs no round trip: it tells which rows the fence trigger skipped.
					const stored = await this.db
						.insert(docUpdates)
						.values(batch.map((p) => ({ docName: p.docName, update: p.update, userId: p.userId })))
						.returning({ docName: docUpdates.docName });
					settle(batch, stored);
				} catch (err) {
					for (const p of batch) p.reject(err);
				}
			}
		} finally {
			this.flushing = null;
		}
	}

	async load(docName: string): Promise<LoadedDocument> {
		// Log rows first, snapshot second. A compaction may commit between the two reads (each
		// statement sees the latest commit): read this way we get the rows and a snapshot that
		// already contains them — applying an update twice is harmless. The other order could
		// read the old snapshot and then find the merged rows gone, losing them.
		const rows = await this.db
			.select({ update: docUpdates.update })
			.from(docUpdates)
			.where(eq(docUpdates.docName, docName))
			.orderBy(asc(docUpdates.id));
		const [snap] = await this.db.select({ state: docSnapshots.state }).from(docSnapshots).where(eq(docSnapshots.docName, docName));
		return { snapshot: snap?.state ?? null, updates: rows.map((r) => r.update) };
	}

	/**
	 * Applies stored state to `doc`; returns how many log rows there were. The stored state is
	 * merged on a scratch document first and must encode: a row that slipped past validation and
	 * breaks the document (throws when applied, or makes the document unencodable) is moved to
	 * the quarantine by repair(), and the document loads — and saves — without it.
	 */
	async loadInto(docName: string, doc: Y.Doc, origin: unknown): Promise<number> {
		const { snapshot, updates } = await this.load(docName);
		let state: Uint8Array;
		try {
			// Same garbage collection as the target: versions load into gc:false documents and need deleted content.
			state = merge(snapshot, updates, doc.gc);
		} catch (err) {
			state = await this.repair(docName, err, doc.gc);
		}
		Y.applyUpdate(doc, state, origin);
		return updates.length;
	}

	/** Rebuilds a document that does not load, in a transaction of its own (see repairWithin). */
	private async repair(docName: string, cause: unknown, gc: boolean): Promise<Uint8Array> {
		return this.db.transaction((tx) => repairWithin(tx, docName, cause, gc));
	}

	/**
	 * Merges the log into the snapshot. Returns the number of rows merged (0 when there was
	 * nothing to do or fewer than `minRows`).
	 */
	async compact(docName: string, minRows = 1): Promise<number> {
		return this.db.transaction(async (tx) => {
			await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`doc:${docName}`}))`);
			const rows = await tx
				.select({ id: docUpdates.id, update: docUpdates.update })
				.from(docUpdates)
				.where(eq(docUpdates.docName, docName))
				.orderBy(asc(docUpdates.id));
			if (rows.length === 0 || rows.length < minRows) return 0;
			const [snap] = await tx.select({ state: docSnapshots.state }).from(docSnapshots).where(eq(docSnapshots.docName, docName));
			let state: Uint8Array;
			try {
				state = merge(snap?.state ?? null, rows.map((r) => r.update), true);
				// A snapshot that would not load again must never replace the rows it merges.
				const probe = new Y.Doc();
				try {
					Y.applyUpdate(probe, state);
				} finally {
					probe.destroy();
				}
			} catch (err) {
				// Rows that slipped past validation and break the document together: set them aside
				// (doc_quarantine) like a load does, and compact what remains, so the document stays saveable.
				state = await repairWithin(tx, docName, err, true);
				const probe = new Y.Doc();
				try {
					Y.applyUpdate(probe, state);
				} finally {
					probe.destroy();
				}
			}
			await tx
				.insert(docSnapshots)
				.values({ docName, state, updatedAt: new Date() })
				.onConflictDoUpdate({ target: docSnapshots.docName, set: { state, updatedAt: new Date() } });
			const ids = rows.map((r) => r.id);
			for (let i = 0; i < ids.length; i += 1000) {
				await tx.delete(docUpdates).where(and(eq(docUpdates.docName, docName), inArray(docUpdates.id, ids.slice(i, i + 1000))));
			}
			return rows.length;
		});
	}

	/** Updates set aside by repair(), over every document. */
	async quarantinedCount(): Promise<number> {
		const [row] = await this.db.select({ n: sql<number>`count(*)::int` }).from(docQuarantine);
		return row?.n ?? 0;
	}

	async logRowCount(docName: string): Promise<number> {
		const [row] = await this.db
			.select({ n: sql<number>`count(*)::int` })
			.from(docUpdates)
			.where(eq(docUpdates.docName, docName));
		return row?.n ?? 0;
	}
}

/**
 * Resolves the appends whose rows were stored and rejects the others as frozen. The trigger
 * decides per document, never per row: the first row of a document takes its fence lock for
 * the whole transaction, so no fence can commit between two rows of the same document.
 */
function settle(batch: Pending[], stored: { docName: string }[]): void {
	const storedPerDoc = new Map<string, number>();
	for (const row of stored) storedPerDoc.set(row.docName, (storedPerDoc.get(row.docName) ?? 0) + 1);
	const sentPerDoc = new Map<string, number>();
	for (const p of batch) sentPerDoc.set(p.docName, (sentPerDoc.get(p.docName) ?? 0) + 1);
	for (const [docName, sent] of sentPerDoc) {
		const n = storedPerDoc.get(docName) ?? 0;
		if (n !== 0 && n !== sent) console.error(`[docStore] ${docName}: ${n} of ${sent} rows stored in one batch; refusing all of them as frozen (a refused row that was stored is harmless: Yjs applies it once)`);
	}
	for (const p of batch) {
		if (storedPerDoc.get(p.docName) === sentPerDoc.get(p.docName)) p.resolve();
		else p.reject(new DocumentFrozenError(p.docName));
	}
}

/** Snapshot and log rows merged on a scratch document, encoded: throws when they do not make a document. */
/**
 * Rebuilds a document that does not load, inside the caller's transaction and under the
 * document's lock (so a compaction cannot interleave): keeps every log row after which the
 * document still encodes and loads again into a fresh document, moves the others to
 * doc_quarantine. Returns the repaired state. Rare, so each row is checked in full.
 */
async function repairWithin(tx: DbOrTx, docName: string, cause: unknown, gc: boolean): Promise<Uint8Array> {
	console.error(`[docStore] ${docName} does not load; looking for the rows that break it:`, (cause as Error)?.message ?? cause);
	await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`doc:${docName}`}))`);
	const rows = await tx
		.select({ id: docUpdates.id, update: docUpdates.update, userId: docUpdates.userId, createdAt: docUpdates.createdAt })
		.from(docUpdates)
		.where(eq(docUpdates.docName, docName))
		.orderBy(asc(docUpdates.id));
	const [snap] = await tx.select({ state: docSnapshots.state }).from(docSnapshots).where(eq(docSnapshots.docName, docName));
	const kept: Uint8Array[] = snap ? [snap.state] : [];
	// Compaction never writes a snapshot that does not load; if one does, nothing here can help.
	let scratch = build(kept, gc);
	const bad: { id: number; update: Uint8Array; userId: string | null; createdAt: Date; reason: string }[] = [];
	for (const row of rows) {
		try {
			Y.applyUpdate(scratch, row.update);
			const probe = new Y.Doc({ gc });
			try {
				Y.applyUpdate(probe, Y.encodeStateAsUpdate(scratch));
			} finally {
				probe.destroy();
			}
			kept.push(row.update);
		} catch (err) {
			bad.push({ ...row, reason: (err as Error).message });
			// The failed row may be half-applied: start again from what was kept.
			scratch.destroy();
			scratch = build(kept, gc);
		}
	}
	try {
		if (bad.length > 0) {
			await tx.insert(docQuarantine).values(bad.map((b) => ({ docName, update: b.update, userId: b.userId, reason: b.reason, loggedAt: b.createdAt })));
			await tx.delete(docUpdates).where(and(eq(docUpdates.docName, docName), inArray(docUpdates.id, bad.map((b) => b.id))));
			console.error(`[docStore] ${docName}: moved ${bad.length} row(s) to doc_quarantine (${bad.map((b) => `#${b.id}: ${b.reason}`).join('; ')})`);
		}
		return Y.encodeStateAsUpdate(scratch);
	} finally {
		scratch.destroy();
	}
}

function merge(snapshot: Uint8Array | null, updates: Uint8Array[], gc: boolean): Uint8Array {
	const scratch = build(snapshot ? [snapshot, ...updates] : updates, gc);
	try {
		// Rows that merge but leave a state that throws when loaded again (found by the socket
		// fuzzer: the live document then failed to load) are the repair's business too.
		assertReloads(scratch);
		return Y.encodeStateAsUpdate(scratch);
	} finally {
		scratch.destroy();
	}
}

function build(updates: Uint8Array[], gc: boolean): Y.Doc {
	const scratch = new Y.Doc({ gc });
	try {
		Y.transact(scratch, () => {
			for (const u of updates) Y.applyUpdate(scratch, u);
		});
	} catch (err) {
		scratch.destroy();
		throw err;
	}
	return scratch;
}
