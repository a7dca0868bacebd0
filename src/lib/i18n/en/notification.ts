import type { notification as zh } from '../zh-CN/notification';

export const notification: Record<keyof typeof zh, string> = {
	'nav.inbox': 'Inbox',
	'nav.inboxUnread': 'Inbox ({count} unread)',

	'notification.kind.mention': '{actor} mentioned you in a comment on “{title}”',
	'notification.kind.mention.short': 'Someone mentioned you in a comment',
	'notification.kind.reply': '{actor} replied in a discussion you took part in on “{title}”',
	'notification.kind.reply.short': 'Someone replied to your comment',
	'notification.kind.review': 'The minutes of “{meeting}” are in review: please read and confirm them',
	'notification.kind.review.short': 'Minutes are in review: please read and confirm them',
	'notification.kind.decision': 'The decision “{item}” was assigned to {unit}',
	'notification.kind.decision.short': 'A decision was assigned to your unit',
	'notification.kind.report_due': 'Please file the {month} progress report on “{item}” ({unit}) by {deadline}',
	'notification.kind.report_due.short': 'A monthly progress report is due soon',
	'notification.kind.unknown': 'New notification',

	'inbox.title': 'Inbox',
	'inbox.unreadCount': '{count} unread',
	'inbox.markAllRead': 'Mark all as read',
	'inbox.markedAllRead': 'All notifications are marked as read.',
	'inbox.empty': 'No notifications yet. You are told here when someone mentions you, minutes await your confirmation, a decision is assigned to your unit or a monthly report is due.',
	'inbox.unread': 'Unread',
	'inbox.open': 'Open',

	'account.email': 'Email notifications',
	'account.emailAddress': 'Email address',
	'account.emailHint': 'Leave empty to be notified in the app only.',
	'account.emailMode': 'How often',
	'account.emailMode.instant': 'One email per notification, at once',
	'account.emailMode.daily': 'One summary a day at 18:00',
	'account.emailMode.off': 'No emails',
	'account.emailSaved': 'Your email settings are saved.',
	'account.emailInvalid': 'Enter a valid email address.',
	'account.emailModeInvalid': 'Choose how often to be emailed.',
	'account.emailDisabled': 'Email is not configured on this server yet; your settings are kept and apply once it is.',

	'mail.subject': '[{app}] {message}',
	'mail.digestSubject': '[{app}] {count} new notifications today',
	'mail.open': 'Open: {url}',
	'mail.footer': 'This email was sent automatically; please do not reply. Change how you are emailed under “My account”: {url}'
};
