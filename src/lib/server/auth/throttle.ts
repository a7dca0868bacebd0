import { eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db';
import { loginThrottle } from '../db/schema';

/*
 * Failed sign-ins are counted in the database, not in memory, so that every instance behind
 * the load balancer sees the same counters. An attempt that is refused for throttling changes
 * nothing: it neither counts as a failure nor extends the lock.
 */

export interface ThrottlePolicy {
	maxFailures: number;
	windowMs: number;
	lockMs: number;
}

const MINUTE = 60_000;
export const ACCOUNT_POLICY: ThrottlePolicy = { maxFailures: 5, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE };
export const ADDRESS_POLICY: ThrottlePolicy = { maxFailures: 20, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE };

export const accountKey = (username: string) => `account:${username.trim().toLowerCase()}`;
export const addressKey = (address: string) => `address:${address}`;

/** Seconds until the earliest moment all given keys are unlocked, or 0 if none is locked. */
export async function lockedFor(db: DbOrTx, keys: string[], now = new Date()): Promise<number> {
	const rows = await db.select().from(loginThrottle).where(inArray(loginThrottle.key, keys));
	let until = 0;
	for (const row of rows) {
		if (row.lockedUntil && row.lockedUntil.getTime() > now.getTime()) until = Math.max(until, row.lockedUntil.getTime());
	}
	return until === 0 ? 0 : Math.ceil((until - now.getTime()) / 1000);
}

export async function recordFailure(db: DbOrTx, key: string, policy: ThrottlePolicy, now = new Date()): Promise<void> {
	const windowStart = new Date(now.getTime() - policy.windowMs);
	const lockUntil = new Date(now.getTime() + policy.lockMs);
	await db
		.insert(loginThrottle)
		.values({ key, failures: 1, windowStart: now, lockedUntil: policy.maxFailures <= 1 ? lockUntil : null })
		.onConflictDoUpdate({
			target: loginThrottle.key,
			set: {
				failures: sql`case when ${loginThrottle.windowStart} < ${windowStart} then 1 else ${loginThrottle.failures} + 1 end`,
				windowStart: sql`case when ${loginThrottle.windowStart} < ${windowStart} then ${now} else ${loginThrottle.windowStart} end`,
				lockedUntil: sql`case when (case when ${loginThrottle.windowStart} < ${windowStart} then 1 else ${loginThrottle.failures} + 1 end) >= ${policy.maxFailures} then ${lockUntil}::timestamptz else null end`
			}
		});
}

export async function clearFailures(db: DbOrTx, key: string): Promise<void> {
	await db.delete(loginThrottle).where(eq(loginThrottle.key, key));
}
