import nodemailer from 'nodemailer';
import { and, asc, eq, gt, inArray, isNull, lt, ne } from 'drizzle-orm';
import type { Db } from './db';
import { notifications, users } from './db/schema';
import type { MailConfig } from './config';
import { DEFAULT_LOCALE, isLocale, translator, type Translate } from '../i18n';
import { notificationMessage, safeLink } from '../domain/notification';
import { withActorNames } from './notification';
import { formatDateTime } from '../format';

/*
 * Email copies of inbox rows. Nothing here runs unless SMTP_URL is configured: the sender loop is
 * started by the process entry only then. Rows are claimed (emailed_at set) before sending, so
 * several instances never send the same row twice; a failed send un-claims what it had not
 * delivered, so the next round tries again and nothing is lost.
 */

export interface OutgoingMail {
	to: string;
	subject: string;
	text: string;
}

export interface Mailer {
	send(mail: OutgoingMail): Promise<void>;
	close(): void;
}

export function smtpMailer(config: MailConfig): Mailer {
	const transport = nodemailer.createTransport(config.smtpUrl);
	return {
		async send(mail) {
			await transport.sendMail({ from: config.from, to: mail.to, subject: mail.subject, text: mail.text });
		},
		close: () => transport.close()
	};
}

/**
 * Older unsent rows are never emailed: someone who turns email on, or a server whose SMTP was
 * down for a week, should not flood an inbox with stale news (it is all in the app).
 */
const MAX_AGE_MS = 7 * 86_400_000;
/** 18:00 China time (UTC+8, no daylight saving) is 10:00 UTC. */
const DIGEST_HOUR_UTC = 10;

/** The latest 18:00 in China at or before `now`: the daily digest covers rows created before it. */
export function digestCutoff(now: Date): Date {
	const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), DIGEST_HOUR_UTC));
	return today <= now ? today : new Date(today.getTime() - 86_400_000);
}

interface Row {
	id: string;
	kind: string;
	link: string;
	params: Record<string, string | number>;
	createdAt: Date;
}

function absolute(origin: string, link: string): string {
	return new URL(safeLink(link), origin).toString();
}

function footer(t: Translate, origin: string): string {
	return `\n\n-- \n${t('mail.footer', { url: absolute(origin, '/account') })}\n`;
}

export function instantMail(t: Translate, origin: string, to: string, row: Row): OutgoingMail {
	const message = notificationMessage(t, row.kind, row.params);
	return {
		to,
		subject: t('mail.subject', { app: t('app.name'), message }),
		text: `${message}\n\n${t('mail.open', { url: absolute(origin, row.link) })}${footer(t, origin)}`
	};
}

export function digestMail(t: Translate, locale: Parameters<typeof formatDateTime>[1], origin: string, to: string, rows: readonly Row[]): OutgoingMail {
	const lines = rows.map((r) => `• ${formatDateTime(r.createdAt, locale)}\n  ${notificationMessage(t, r.kind, r.params)}\n  ${absolute(origin, r.link)}`);
	return {
		to,
		subject: t('mail.digestSubject', { app: t('app.name'), count: rows.length }),
		text: `${lines.join('\n\n')}${footer(t, origin)}`
	};
}

/** Takes the rows for sending; only rows no other sender took come back. */
async function claim(db: Db, userId: string, from: Date, before: Date | null): Promise<Row[]> {
	const rows = await db
		.update(notifications)
		.set({ emailedAt: new Date() })
		.where(
			and(
				eq(notifications.userId, userId),
				isNull(notifications.emailedAt),
				// Already read in the app: the mail would tell them nothing new.
				isNull(notifications.readAt),
				gt(notifications.createdAt, from),
				before ? lt(notifications.createdAt, before) : undefined
			)
		)
		.returning({ id: notifications.id, kind: notifications.kind, link: notifications.link, params: notifications.params, createdAt: notifications.createdAt });
	return (await withActorNames(db, rows)).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
}

async function unclaim(db: Db, ids: readonly string[]): Promise<void> {
	if (ids.length > 0) await db.update(notifications).set({ emailedAt: null }).where(inArray(notifications.id, [...ids]));
}

export interface SendResult {
	sent: number;
	/** The round stopped at a failed send; what was not delivered waits for the next round. */
	failed: boolean;
}

/** One round of the sender: instant mails, and the daily digests once 18:00 China time has passed. */
export async function sendPendingMail(db: Db, mailer: Mailer, options: { origin: string; now?: Date }): Promise<SendResult> {
	const now = options.now ?? new Date();
	const from = new Date(now.getTime() - MAX_AGE_MS);
	const cutoff = digestCutoff(now);
	const recipients = await db
		.selectDistinct({ id: users.id, email: users.email, mode: users.emailMode, locale: users.locale })
		.from(users)
		.innerJoin(notifications, eq(notifications.userId, users.id))
		.where(
			and(
				ne(users.email, ''),
				inArray(users.emailMode, ['instant', 'daily']),
				isNull(notifications.emailedAt),
				isNull(notifications.readAt),
				gt(notifications.createdAt, from)
			)
		)
		.orderBy(asc(users.id));
	let sent = 0;
	for (const user of recipients) {
		const locale = isLocale(user.locale) ? user.locale : DEFAULT_LOCALE;
		const t = translator(locale);
		const rows = await claim(db, user.id, from, user.mode === 'daily' ? cutoff : null);
		if (rows.length === 0) continue;
		if (user.mode === 'daily') {
			try {
				await mailer.send(digestMail(t, locale, options.origin, user.email, rows));
				sent++;
			} catch (err) {
				await unclaim(db, rows.map((r) => r.id));
				console.error(`[mail] daily digest to user ${user.id} (${rows.length} notifications) failed; retrying next round:`, err);
				return { sent, failed: true };
			}
			continue;
		}
		for (const [i, row] of rows.entries()) {
			try {
				await mailer.send(instantMail(t, options.origin, user.email, row));
				sent++;
			} catch (err) {
				await unclaim(db, rows.slice(i).map((r) => r.id));
				console.error(`[mail] notification ${row.id} to user ${user.id} failed; retrying next round:`, err);
				// SMTP is most likely down for everyone: stop the round instead of failing once per person.
				return { sent, failed: true };
			}
		}
	}
	return { sent, failed: false };
}

export const SEND_INTERVAL_MS = 60_000;

/**
 * Starts the sender loop (every minute, never two rounds at once, not keeping the process
 * alive). Only called when SMTP is configured. Returns a stop function.
 */
export function startMailSender(db: Db, mail: MailConfig, origin: string, mailer: Mailer = smtpMailer(mail)): () => void {
	let running = false;
	const round = async () => {
		if (running) return;
		running = true;
		try {
			await sendPendingMail(db, mailer, { origin });
		} catch (err) {
			console.error('[mail] send round failed (database?); retrying in a minute:', err);
		} finally {
			running = false;
		}
	};
	const timer = setInterval(() => void round(), SEND_INTERVAL_MS);
	timer.unref();
	void round();
	return () => {
		clearInterval(timer);
		mailer.close();
	};
}
