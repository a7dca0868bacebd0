import { and, count, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { DbOrTx } from './db';
import { notifications, users } from './db/schema';
import { EMAIL_PATTERN } from './config';
import type { NotificationKind } from '../domain/notification';
import { isUuid } from './meeting';

/*
 * The in-app inbox (通知). Every module that has something to tell a person calls `notify`;
 * email copies (when SMTP is configured) are sent from these rows by `mail.ts`, never directly.
 * The params each kind needs for its full message are listed in `domain/notification.ts`.
 */

export type { NotificationKind } from '../domain/notification';

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

export interface NotificationView {
	id: string;
	kind: string;
	link: string;
	params: Record<string, string | number>;
	createdAt: Date;
	read: boolean;
}

export const INBOX_PAGE_SIZE = 20;

export interface InboxPage {
	items: NotificationView[];
	total: number;
	unread: number;
	page: number;
	pages: number;
}

/** One page of a person's inbox, newest first (a page past the end shows the last one). */
export async function listNotifications(db: DbOrTx, userId: string, page = 1, pageSize = INBOX_PAGE_SIZE): Promise<InboxPage> {
	const [{ total: rawTotal } = { total: 0 }] = await db.select({ total: count() }).from(notifications).where(eq(notifications.userId, userId));
	const total = Number(rawTotal);
	const unread = await unreadCount(db, userId);
	const pages = Math.max(1, Math.ceil(total / pageSize));
	const current = Math.min(Math.max(1, Math.floor(page) || 1), pages);
	const rows = await db
		.select({ id: notifications.id, kind: notifications.kind, link: notifications.link, params: notifications.params, createdAt: notifications.createdAt, readAt: notifications.readAt })
		.from(notifications)
		.where(eq(notifications.userId, userId))
		// id breaks ties: rows stored in one statement share created_at, and pages must not overlap.
		.orderBy(desc(notifications.createdAt), desc(notifications.id))
		.limit(pageSize)
		.offset((current - 1) * pageSize);
	return {
		items: await withActorNames(
			db,
			rows.map(({ readAt, ...r }) => ({ ...r, read: readAt !== null }))
		),
		total,
		unread,
		page: current,
		pages
	};
}

/**
 * Comments store who acted as `actorId` (a name can change, and would be copied into every row);
 * the reader sees the current display name as `actor`.
 */
export async function withActorNames<T extends { params: Record<string, string | number> }>(db: DbOrTx, rows: T[]): Promise<T[]> {
	const ids = [...new Set(rows.map((r) => r.params.actorId).filter((id): id is string => typeof id === 'string' && isUuid(id)))];
	if (ids.length === 0) return rows;
	const names = new Map((await db.select({ id: users.id, name: users.displayName }).from(users).where(inArray(users.id, ids))).map((u) => [u.id, u.name]));
	return rows.map((r) => {
		const name = typeof r.params.actorId === 'string' ? names.get(r.params.actorId) : undefined;
		return name !== undefined && r.params.actor === undefined ? { ...r, params: { ...r.params, actor: name } } : r;
	});
}

export async function unreadCount(db: DbOrTx, userId: string): Promise<number> {
	const [row] = await db
		.select({ n: count() })
		.from(notifications)
		.where(and(eq(notifications.userId, userId), isNull(notifications.readAt)));
	return Number(row?.n ?? 0);
}

/**
 * Marks one of the person's notifications read and returns where it leads; null when it is not
 * theirs (someone else's id reveals nothing and changes nothing).
 */
export async function markRead(db: DbOrTx, userId: string, notificationId: string): Promise<{ link: string } | null> {
	if (!isUuid(notificationId)) return null;
	const [row] = await db
		.update(notifications)
		.set({ readAt: sql`coalesce(${notifications.readAt}, now())` })
		.where(and(eq(notifications.id, notificationId), eq(notifications.userId, userId)))
		.returning({ link: notifications.link });
	return row ?? null;
}

/** Marks every unread notification of the person read; returns how many. */
export async function markAllRead(db: DbOrTx, userId: string): Promise<number> {
	const rows = await db
		.update(notifications)
		.set({ readAt: new Date() })
		.where(and(eq(notifications.userId, userId), isNull(notifications.readAt)))
		.returning({ id: notifications.id });
	return rows.length;
}

export const EMAIL_MODES = ['instant', 'daily', 'off'] as const;
export type EmailMode = (typeof EMAIL_MODES)[number];
export function isEmailMode(value: string): value is EmailMode {
	return (EMAIL_MODES as readonly string[]).includes(value);
}

export const EMAIL_MAX = 254;

export interface EmailSettings {
	email: string;
	mode: EmailMode;
}

export async function emailSettings(db: DbOrTx, userId: string): Promise<EmailSettings> {
	const [row] = await db.select({ email: users.email, mode: users.emailMode }).from(users).where(eq(users.id, userId));
	return { email: row?.email ?? '', mode: row && isEmailMode(row.mode) ? row.mode : 'instant' };
}

export type EmailSettingsError = 'account.emailInvalid' | 'account.emailModeInvalid';

/** Saves where and how often the person is emailed; an empty address means in-app only. */
export async function setEmailSettings(db: DbOrTx, userId: string, input: { email: string; mode: string }): Promise<EmailSettingsError | null> {
	const email = input.email.trim();
	if (email !== '' && (email.length > EMAIL_MAX || !EMAIL_PATTERN.test(email))) return 'account.emailInvalid';
	if (!isEmailMode(input.mode)) return 'account.emailModeInvalid';
	await db.update(users).set({ email, emailMode: input.mode }).where(eq(users.id, userId));
	return null;
}
