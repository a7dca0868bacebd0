import { eq, inArray } from 'drizzle-orm';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifications, users } from '../../src/lib/server/db/schema';
import { ConfigError, loadConfig } from '../../src/lib/server/config';
import { digestCutoff, sendPendingMail, smtpMailer, type Mailer } from '../../src/lib/server/mail';
import { notify } from '../../src/lib/server/notification';
import { createTestDatabase, type TestDatabase } from '../helpers/db';

/*
 * Email against a real SMTP conversation: a local sink (smtp-server) started here, nodemailer
 * talking to it over TCP. No external service.
 */

interface Received {
	from: string;
	to: string[];
	subject: string;
	text: string;
}

/** Undoes MIME header encoding (=?UTF-8?B?…?= / Q words, folded) and the body's transfer encoding. */
function parse(raw: string): Omit<Received, 'from' | 'to'> {
	const [head = '', ...rest] = raw.split(/\r?\n\r?\n/);
	const body = rest.join('\n\n');
	const headers = head.replace(/\r?\n[ \t]+/g, ' ');
	const header = (name: string) => new RegExp(`^${name}: (.*)$`, 'im').exec(headers)?.[1] ?? '';
	const subject = header('Subject')
		.replace(/\?=\s+=\?/g, '?==?')
		.replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_, enc: string, data: string) =>
			enc.toLowerCase() === 'b'
				? Buffer.from(data, 'base64').toString('utf8')
				: Buffer.from(data.replace(/_/g, ' ').replace(/=([0-9a-f]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8')
		);
	const encoding = header('Content-Transfer-Encoding').toLowerCase();
	const text =
		encoding === 'base64'
			? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
			: encoding === 'quoted-printable'
				? Buffer.from(body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8')
				: body;
	return { subject, text: text.replace(/\r\n/g, '\n') };
}

let database: TestDatabase;
let sink: SMTPServer;
let port: number;
const inbox: Received[] = [];
let mailer: Mailer;
const ORIGIN = 'https://gongjian.example.org';

async function person(name: string, email: string, mode: string, locale = 'zh-CN'): Promise<string> {
	const [row] = await database.db.insert(users).values({ username: name, displayName: name, passwordHash: 'x', email, emailMode: mode, locale }).returning();
	return row!.id;
}

beforeAll(async () => {
	database = await createTestDatabase();
	sink = new SMTPServer({
		authOptional: true,
		disabledCommands: ['STARTTLS'],
		logger: false,
		onData(stream, session, callback) {
			const chunks: Buffer[] = [];
			stream.on('data', (c: Buffer) => chunks.push(c));
			stream.on('end', () => {
				inbox.push({
					from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
					to: session.envelope.rcptTo.map((r) => r.address),
					...parse(Buffer.concat(chunks).toString('utf8'))
				});
				callback();
			});
		}
	});
	await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
	port = (sink.server.address() as AddressInfo).port;
	mailer = smtpMailer({ smtpUrl: `smtp://127.0.0.1:${port}`, from: '共建工作台 <noreply@gongjian.test>' });
});
afterAll(async () => {
	mailer?.close();
	await new Promise<void>((resolve) => (sink ? sink.close(resolve) : resolve()));
	await database?.destroy();
});

describe('instant mail', () => {
	it('sends one mail per notification, in the reader’s language, with an absolute link; never twice', async () => {
		const db = database.db;
		inbox.length = 0;
		const wang = await person('wang', 'wang@jiedao.gov.cn', 'instant');
		const smith = await person('smith', 'smith@example.org', 'instant', 'en');
		const quiet = await person('quiet', 'quiet@example.org', 'off');
		const noAddress = await person('noaddr', '', 'instant');
		await notify(db, { userIds: [wang, smith, quiet, noAddress], kind: 'review', link: '/meetings/abc', params: { meeting: '十一月例会' } });

		expect(await sendPendingMail(db, mailer, { origin: ORIGIN })).toEqual({ sent: 2, failed: false });
		expect(inbox).toHaveLength(2);
		const toWang = inbox.find((m) => m.to.includes('wang@jiedao.gov.cn'))!;
		expect(toWang.to).toEqual(['wang@jiedao.gov.cn']);
		expect(toWang.from).toBe('noreply@gongjian.test');
		expect(toWang.subject).toBe('【共建会议工作台】会议「十一月例会」的纪要已进入审阅，请阅读并确认');
		expect(toWang.text).toContain(`${ORIGIN}/meetings/abc`);
		const toSmith = inbox.find((m) => m.to.includes('smith@example.org'))!;
		expect(toSmith.subject).toMatch(/^\[.+\] The minutes of “十一月例会” are in review: please read and confirm them$/);

		const rows = await db.select().from(notifications).where(inArray(notifications.userId, [wang, smith, quiet, noAddress]));
		expect(rows.filter((r) => r.emailedAt !== null).map((r) => r.userId).sort()).toEqual([wang, smith].sort());
		expect(await sendPendingMail(db, mailer, { origin: ORIGIN })).toEqual({ sent: 0, failed: false });
		expect(inbox).toHaveLength(2);
	});

	it('a notification already read in the app is not emailed', async () => {
		const db = database.db;
		inbox.length = 0;
		const li = await person('li', 'li@jiedao.gov.cn', 'instant');
		await notify(db, { userIds: [li], kind: 'decision', link: '/projects/x', params: { item: '义诊', unit: '医院' } });
		await db.update(notifications).set({ readAt: new Date() }).where(eq(notifications.userId, li));
		expect((await sendPendingMail(db, mailer, { origin: ORIGIN })).sent).toBe(0);
		expect(inbox).toHaveLength(0);
	});

	it('a failing SMTP server is logged and retried next round; nothing is lost', async () => {
		const db = database.db;
		inbox.length = 0;
		const zhao = await person('zhao', 'zhao@jiedao.gov.cn', 'instant');
		// As the comment module stores them: who acted by id, named when the mail is written.
		const wangfang = await person('wangfang', '', 'off');
		await database.db.update(users).set({ displayName: '王芳' }).where(eq(users.id, wangfang));
		await notify(db, { userIds: [zhao], kind: 'mention', link: '/meetings/m1', params: { threadId: 't1', commentId: 'c1', actorId: wangfang, title: '十一月例会' } });
		await notify(db, { userIds: [zhao], kind: 'reply', link: '/meetings/m1', params: { threadId: 't1', commentId: 'c2', actorId: wangfang, title: '十一月例会' } });
		// A port nobody listens on: the connection is refused.
		const closed = new SMTPServer({ authOptional: true, logger: false });
		await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
		const deadPort = (closed.server.address() as AddressInfo).port;
		await new Promise<void>((resolve) => closed.close(resolve));
		const broken = smtpMailer({ smtpUrl: `smtp://127.0.0.1:${deadPort}`, from: 'noreply@gongjian.test' });
		const errors: unknown[] = [];
		const original = console.error;
		console.error = (...args: unknown[]) => void errors.push(args);
		try {
			expect(await sendPendingMail(db, broken, { origin: ORIGIN })).toEqual({ sent: 0, failed: true });
		} finally {
			console.error = original;
			broken.close();
		}
		expect(errors).toHaveLength(1);
		expect((await db.select().from(notifications).where(eq(notifications.userId, zhao))).every((r) => r.emailedAt === null)).toBe(true);

		expect(await sendPendingMail(db, mailer, { origin: ORIGIN })).toEqual({ sent: 2, failed: false });
		expect(inbox.map((m) => m.subject).sort()).toEqual(['【共建会议工作台】王芳 在「十一月例会」中回复了你参与的评论', '【共建会议工作台】王芳 在「十一月例会」的评论中提到了你'].sort());
	});
});

describe('daily digest', () => {
	it('collects everything unsent into one mail after 18:00 China time, once a day', async () => {
		const db = database.db;
		inbox.length = 0;
		const chen = await person('chen', 'chen@jiedao.gov.cn', 'daily');
		for (const [i, kind] of (['review', 'decision', 'report_due'] as const).entries()) {
			await notify(db, { userIds: [chen], kind, link: `/projects/p${i}`, params: { meeting: '例会', item: `项目${i}`, unit: '医院', month: '2026-11', deadline: '2026-12-10' } });
		}
		// Stored during the day (China time 09:00–11:00 on 3 December).
		await db.update(notifications).set({ createdAt: new Date('2026-12-03T01:00:00Z') }).where(eq(notifications.userId, chen));
		const beforeSix = new Date('2026-12-03T09:59:00Z');
		const afterSix = new Date('2026-12-03T10:01:00Z');
		expect(digestCutoff(beforeSix).toISOString()).toBe('2026-12-02T10:00:00.000Z');
		expect(await sendPendingMail(db, mailer, { origin: ORIGIN, now: beforeSix })).toEqual({ sent: 0, failed: false });
		expect(inbox).toHaveLength(0);

		expect(await sendPendingMail(db, mailer, { origin: ORIGIN, now: afterSix })).toEqual({ sent: 1, failed: false });
		expect(inbox).toHaveLength(1);
		const digest = inbox[0]!;
		expect(digest.to).toEqual(['chen@jiedao.gov.cn']);
		expect(digest.subject).toBe('【共建会议工作台】今日 3 条新通知');
		expect(digest.text).toContain('会议「例会」的纪要已进入审阅');
		expect(digest.text).toContain('决议事项「项目1」已交由医院负责');
		expect(digest.text).toContain('请于 2026-12-10 前报送「项目2」');
		for (let i = 0; i < 3; i++) expect(digest.text).toContain(`${ORIGIN}/projects/p${i}`);

		// Later the same evening: a new notification waits for tomorrow's digest.
		await notify(db, { userIds: [chen], kind: 'mention', link: '/x', params: { actor: '王', title: '例会' } });
		const evening = new Date('2026-12-03T12:00:00Z');
		await db.update(notifications).set({ createdAt: new Date('2026-12-03T11:00:00Z') }).where(eq(notifications.kind, 'mention'));
		expect((await sendPendingMail(db, mailer, { origin: ORIGIN, now: evening })).sent).toBe(0);
		expect((await sendPendingMail(db, mailer, { origin: ORIGIN, now: new Date('2026-12-04T10:00:00Z') })).sent).toBe(1);
		expect(inbox[1]!.subject).toBe('【共建会议工作台】今日 1 条新通知');
	});
});

describe('without SMTP_URL', () => {
	it('email is off: no mail configuration, so the entry starts no sender; a half configuration is refused at start', () => {
		expect(loadConfig({}).mail).toBeNull();
		expect(loadConfig({ MAIL_FROM: 'noreply@example.org' }).mail).toBeNull();
		expect(loadConfig({ SMTP_URL: 'smtp://u:p@mail.example.org:587', MAIL_FROM: '共建 <noreply@example.org>' }).mail).toEqual({
			smtpUrl: 'smtp://u:p@mail.example.org:587',
			from: '共建 <noreply@example.org>'
		});
		expect(() => loadConfig({ SMTP_URL: 'smtp://mail.example.org' })).toThrow(ConfigError);
		expect(() => loadConfig({ SMTP_URL: 'http://mail.example.org', MAIL_FROM: 'a@b.org' })).toThrow(/SMTP_URL/);
		expect(() => loadConfig({ SMTP_URL: 'smtp://mail.example.org', MAIL_FROM: 'nobody' })).toThrow(/MAIL_FROM/);
	});
});
