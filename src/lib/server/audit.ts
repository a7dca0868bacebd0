import type { DbOrTx } from './db';
import { auditLog } from './db/schema';

export async function recordAudit(
	db: DbOrTx,
	entry: { actorId: string | null; action: string; subject: string; details?: Record<string, unknown> }
): Promise<void> {
	await db.insert(auditLog).values({ actorId: entry.actorId, action: entry.action, subject: entry.subject, details: entry.details ?? {} });
}
