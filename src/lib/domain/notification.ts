import type { MessageKey, Params, Translate } from '../i18n';

/*
 * How an inbox row becomes a sentence. Rows store only `kind` and `params`, so each reader
 * sees the message in their own language, and a message written before a translation changed
 * reads in the new wording. Shared by the inbox page (browser) and the mail sender (server).
 */

export const NOTIFICATION_KINDS = ['mention', 'reply', 'review', 'decision', 'report_due'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/**
 * The params each kind's full message needs. `notify` callers pass these; a row missing any of
 * them (an older caller, a renamed field) is written with the kind's short message instead of
 * showing a raw `{placeholder}`.
 */
export const NOTIFICATION_PARAMS: Record<NotificationKind, readonly string[]> = {
	// Comments pass `actor` (a name) and `title` (the meeting or board); rows holding only
	// `actorId` get `actor` filled in by the server when read.
	mention: ['actor', 'title'],
	reply: ['actor', 'title'],
	review: ['meeting'],
	decision: ['item', 'unit'],
	report_due: ['item', 'unit', 'month', 'deadline']
};

const FULL: Record<NotificationKind, MessageKey> = {
	mention: 'notification.kind.mention',
	reply: 'notification.kind.reply',
	review: 'notification.kind.review',
	decision: 'notification.kind.decision',
	report_due: 'notification.kind.report_due'
};

const SHORT: Record<NotificationKind, MessageKey> = {
	mention: 'notification.kind.mention.short',
	reply: 'notification.kind.reply.short',
	review: 'notification.kind.review.short',
	decision: 'notification.kind.decision.short',
	report_due: 'notification.kind.report_due.short'
};

export function isNotificationKind(value: string): value is NotificationKind {
	return (NOTIFICATION_KINDS as readonly string[]).includes(value);
}

export function notificationMessage(t: Translate, kind: string, params: Params): string {
	if (!isNotificationKind(kind)) return t('notification.kind.unknown');
	const complete = NOTIFICATION_PARAMS[kind].every((name) => params[name] !== undefined && String(params[name]) !== '');
	return complete ? t(FULL[kind], params) : t(SHORT[kind]);
}

/** Only paths inside the app are followed (a stored link must never send a reader elsewhere). */
export function safeLink(link: string): string {
	return link.startsWith('/') && !link.startsWith('//') && !link.startsWith('/\\') ? link : '/inbox';
}
