import { sql } from 'drizzle-orm';
import type { DbOrTx } from './db';
import { notifications } from './db/schema';

/*
 * The in-app inbox (通知). Every module that has something to tell a person calls `notify`;
 * email copies (when SMTP is configured) are sent from these rows, never directly.
 */

export type NotificationKind = 'mention' | 'reply' | 'review' | 'decision' | 'report_due';

export interface NewNotification {
	userIds: readonly string[];
	kind: NotificationKind;
	/** A path in the app the notification opens. */
	link: string;
	/** What its message needs, to be written in each reader's language. */
	params?: Record<string, string | number>;
	/** The same event notified twice is stored once per person (e.g. `review:<meetingId>:<round>`). */
	dedupeKey?: string;
}

/** Stores the notifications (inside the caller's transaction when given one). */
export async function notify(db: DbOrTx, n: NewNotification): Promise<void> {
	const userIds = [...new Set(n.userIds)];
	if (userIds.length === 0) return;
	await db
		.insert(notifications)
		.values(userIds.map((userId) => ({ userId, kind: n.kind, link: n.link, params: n.params ?? {}, dedupeKey: n.dedupeKey ?? null })))
		.onConflictDoNothing({ target: [notifications.userId, notifications.dedupeKey], where: sql`${notifications.dedupeKey} is not null` });
}
