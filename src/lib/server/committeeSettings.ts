import { eq } from 'drizzle-orm';
import type { DbOrTx } from './db';
import { recordAudit } from './audit';
import { committeeSettings } from './db/schema';

/** Whether observers (列席) may comment on the minutes while they are in review (off by default). */
export async function observersMayComment(db: DbOrTx, committeeId: string): Promise<boolean> {
	const [row] = await db.select({ allowed: committeeSettings.observersComment }).from(committeeSettings).where(eq(committeeSettings.committeeId, committeeId)).limit(1);
	return row?.allowed ?? false;
}

/** Set by the convener (or an administrator); the caller checks who may. Audited. */
export async function setObserversMayComment(db: DbOrTx, actorId: string, committeeId: string, allowed: boolean): Promise<void> {
	await db.transaction(async (tx) => {
		const before = await observersMayComment(tx, committeeId);
		if (before === allowed) return;
		await tx
			.insert(committeeSettings)
			.values({ committeeId, observersComment: allowed })
			.onConflictDoUpdate({ target: committeeSettings.committeeId, set: { observersComment: allowed, updatedAt: new Date() } });
		await recordAudit(tx, { actorId, action: 'committee.observersComment', subject: `committee/${committeeId}`, details: { from: before, to: allowed } });
	});
}
