import { inArray, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from './db';
import { docFences } from './db/schema';

/*
 * Fences: the database's word on which live documents take no writes, so that a freeze holds
 * across every instance (migration 0013). Each append takes the document's fence lock shared in
 * a trigger on doc_updates and skips its row when a fence exists; fence() takes the same lock
 * exclusively, which waits until every append in flight, on any instance, has committed — those
 * are in the log before the fence — and every later append sees the fence and is skipped.
 */

/** First half of the fence lock's key; the trigger in migration 0013 uses the same number. */
export const FENCE_LOCK_CLASS = 731540;

/** The channel on which instances tell each other about freezes, thaws and reconnects. */
export const COLLAB_CONTROL_CHANNEL = 'collab_control';

/** An append refused because its document is fenced: the edit was not stored and must not be retried. */
export class DocumentFrozenError extends Error {
	constructor(readonly docName: string) {
		super(`${docName} is frozen: the update was not stored`);
		this.name = 'DocumentFrozenError';
	}
}

/**
 * Fences each document in its own transaction: one that held one document's exclusive lock
 * while waiting for another's could deadlock with a group commit holding the second shared
 * while waiting for the first. `notice` is sent with pg_notify in the same transaction, so the
 * other instances hear of the fence exactly when it commits.
 */
export async function fence(db: Db, docNames: string[], notice: string | null = null): Promise<void> {
	for (const name of docNames) {
		await db.transaction(async (tx) => {
			await tx.execute(sql`select pg_advisory_xact_lock(${FENCE_LOCK_CLASS}::int4, hashtext(${name}))`);
			await tx.insert(docFences).values({ docName: name }).onConflictDoNothing();
			if (notice !== null) await tx.execute(sql`select pg_notify(${COLLAB_CONTROL_CHANNEL}, ${notice})`);
		});
	}
}

/** Removes the fences (takes no lock: an append that still sees the fence is refused, as it would have been a moment earlier). */
export async function unfence(db: Db, docNames: string[], notice: string | null = null): Promise<void> {
	if (docNames.length === 0) return;
	await db.transaction(async (tx) => {
		await tx.delete(docFences).where(inArray(docFences.docName, docNames));
		if (notice !== null) await tx.execute(sql`select pg_notify(${COLLAB_CONTROL_CHANNEL}, ${notice})`);
	});
}

/**
 * Records fences inside the caller's transaction (the finalization's), so that the frozen state
 * and its fences commit together even where no collaboration server ran the freeze (the demo
 * seed, scripts). Takes no lock: with a server, freeze() already fenced and waited.
 */
export async function addFences(tx: DbOrTx, docNames: string[]): Promise<void> {
	if (docNames.length > 0) await tx.insert(docFences).values(docNames.map((docName) => ({ docName }))).onConflictDoNothing();
}

/**
 * Removes fences inside the caller's transaction (a reopen: the documents take writes again
 * exactly when the new state commits). The instances' in-memory view follows with thaw().
 */
export async function removeFences(tx: DbOrTx, docNames: string[]): Promise<void> {
	if (docNames.length > 0) await tx.delete(docFences).where(inArray(docFences.docName, docNames));
}

/** Which of these documents are fenced. */
export async function fencedAmong(db: DbOrTx, docNames: string[]): Promise<Set<string>> {
	if (docNames.length === 0) return new Set();
	const rows = await db.select({ docName: docFences.docName }).from(docFences).where(inArray(docFences.docName, docNames));
	return new Set(rows.map((r) => r.docName));
}
