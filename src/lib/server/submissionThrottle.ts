import { lt, sql } from 'drizzle-orm';
import type { DbOrTx } from './db';
import { submissionThrottle } from './db/schema';

/*
 * Fixed-window counters for forms anyone may post without an account (scoring links). They
 * live in the database, like the sign-in throttle, so that several instances count the same
 * submissions; the upsert is one statement, so concurrent posts cannot both see "under the
 * limit" for the same slot. Every attempt counts, refused ones included: someone trying
 * tokens at random stays refused until the window passes.
 */

export interface Limit {
	key: string;
	max: number;
	windowMs: number;
}

/** Counts one attempt on every key; true when any of them is now over its limit. */
export async function overLimit(db: DbOrTx, limits: readonly Limit[], now = new Date()): Promise<boolean> {
	let over = false;
	for (const limit of limits) {
		const windowStart = new Date(now.getTime() - limit.windowMs);
		const [row] = await db
			.insert(submissionThrottle)
			.values({ key: limit.key, hits: 1, windowStart: now })
			.onConflictDoUpdate({
				target: submissionThrottle.key,
				set: {
					hits: sql`case when ${submissionThrottle.windowStart} <= ${windowStart}::timestamptz then 1 else ${submissionThrottle.hits} + 1 end`,
					windowStart: sql`case when ${submissionThrottle.windowStart} <= ${windowStart}::timestamptz then ${now}::timestamptz else ${submissionThrottle.windowStart} end`
				}
			})
			.returning({ hits: submissionThrottle.hits });
		if (!row) throw new Error(`throttle upsert for ${limit.key} returned no row`);
		if (row.hits > limit.max) over = true;
	}
	return over;
}

/** Drops counters whose window ended long ago, so the table holds only recent addresses and links. */
export async function forgetOldCounters(db: DbOrTx, olderThanMs: number, now = new Date()): Promise<void> {
	await db.delete(submissionThrottle).where(lt(submissionThrottle.windowStart, new Date(now.getTime() - olderThanMs)));
}
