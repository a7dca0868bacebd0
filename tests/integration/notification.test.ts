import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberships, notifications, progressReports, projectItems, users } from '../../src/lib/server/db/schema';
import { transitionMeeting } from '../../src/lib/server/meetingLifecycle';
import { projectItemsOfMeeting } from '../../src/lib/server/projectItem';
import { emailSettings, listNotifications, markAllRead, markRead, notify, setEmailSettings, unreadCount } from '../../src/lib/server/notification';
import { notifyReportsDue } from '../../src/lib/server/notificationEvents';
import { notificationMessage } from '../../src/lib/domain/notification';
import { translator } from '../../src/lib/i18n';
import { hashPassword } from '../../src/lib/server/auth/password';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createCommitteeFixture, type CommitteeFixture } from '../helpers/fixtures';
import { decision, docOf, h, writeMinutes } from '../helpers/minutes';

let database: TestDatabase;
let fx: CommitteeFixture;
/** A second seat holder of the fixture's unit, and a unit member who only observes. */
let secondContactId: string;
let observerOfUnitId: string;
const D1 = 'b6b6b6b6-0000-4000-8000-000000000001';

const convener = () => ({ id: fx.people.convener.id, isAdmin: false });
const inboxOf = (userId: string, kind?: string) =>
	database.db
		.select()
		.from(notifications)
		.where(and(eq(notifications.userId, userId), kind ? eq(notifications.kind, kind) : undefined));

async function transition(t: 'start' | 'review' | 'finalize' | 'reopen') {
	// Finalizing may require every party's confirmation (or a written override); these tests are
	// about notifications, so the convener always gives one. Passed as a variable: the field is
	// newer than some versions of the lifecycle this file runs against.
	const input = { meetingId: fx.meetingId, transition: t, actor: convener(), reason: t === 'reopen' ? '补充决议' : undefined, override: '测试：不等待确认' };
	return transitionMeeting(database.db, input);
}

beforeAll(async () => {
	database = await createTestDatabase();
	const db = database.db;
	fx = await createCommitteeFixture(db);
	const passwordHash = await hashPassword('x-password-1');
	const [second] = await db.insert(users).values({ username: `second${fx.unitId.slice(0, 8)}`, displayName: '第二联系人', passwordHash }).returning();
	secondContactId = second!.id;
	await db.insert(memberships).values({ committeeId: fx.committeeId, userId: secondContactId, role: 'member', unitId: fx.unitId });
	const [watcher] = await db.insert(users).values({ username: `watch${fx.unitId.slice(0, 8)}`, displayName: '列席人员', passwordHash }).returning();
	observerOfUnitId = watcher!.id;
	await db.insert(memberships).values({ committeeId: fx.committeeId, userId: observerOfUnitId, role: 'observer', unitId: fx.unitId });
	await writeMinutes(db, fx.meetingId, docOf(h(1, '十一月例会纪要'), decision(D1, '由测试医院牵头开展义诊进社区活动', [fx.unitId], '2026-12-31')));
});
afterAll(() => database?.destroy());

describe('a meeting moved to review', () => {
	it('asks every member except observers to confirm, once per review round', async () => {
		await transition('start');
		await transition('review');
		const members = ['convener', 'recorder', 'member', 'part_time'] as const;
		for (const role of members) {
			const rows = await inboxOf(fx.people[role].id, 'review');
			expect(rows, role).toHaveLength(1);
			expect(rows[0]).toMatchObject({ link: `/meetings/${fx.meetingId}`, params: { meeting: '十一月例会' }, readAt: null });
		}
		expect(await inboxOf(secondContactId, 'review')).toHaveLength(1);
		for (const id of [fx.people.observer.id, observerOfUnitId, fx.people.outsider.id, fx.people.admin.id]) expect(await inboxOf(id, 'review')).toHaveLength(0);
		expect(notificationMessage(translator('zh-CN'), 'review', (await inboxOf(fx.people.member.id, 'review'))[0]!.params)).toBe('会议「十一月例会」的纪要已进入审阅，请阅读并确认');
	});

	it('a transition refused changes nothing and notifies nobody', async () => {
		await expect(transitionMeeting(database.db, { meetingId: fx.meetingId, transition: 'review', actor: convener() })).rejects.toMatchObject({ key: 'lifecycle.wrongState' });
		expect(await inboxOf(fx.people.member.id, 'review')).toHaveLength(1);
	});
});

describe('a decision assigned to my unit', () => {
	it('on finalization, tells the seat holders of the responsible unit (not its observers, not others)', async () => {
		await transition('finalize');
		const [item] = await projectItemsOfMeeting(database.db, fx.meetingId);
		for (const id of [fx.people.part_time.id, secondContactId]) {
			const rows = await inboxOf(id, 'decision');
			expect(rows).toHaveLength(1);
			expect(rows[0]).toMatchObject({ link: `/projects/${item!.id}`, dedupeKey: `decision:${item!.id}:${fx.unitId}` });
			expect(rows[0]!.params.item).toBe(item!.title);
		}
		for (const id of [fx.people.convener.id, fx.people.member.id, fx.people.observer.id, observerOfUnitId]) expect(await inboxOf(id, 'decision')).toHaveLength(0);
	});

	it('re-finalizing (the item is updated, not new) does not notify again; the new review round asks again', async () => {
		await transition('reopen');
		expect(await inboxOf(fx.people.member.id, 'review')).toHaveLength(2);
		await transition('finalize');
		expect(await inboxOf(fx.people.part_time.id, 'decision')).toHaveLength(1);
	});
});

describe('my monthly report due', () => {
	it('reminds within five days of the deadline, those who have not filed, once per month', async () => {
		const db = database.db;
		const [item] = await projectItemsOfMeeting(db, fx.meetingId);
		// Decided in October: the October report is due by 10 November (the default report day).
		await db.update(projectItems).set({ createdAt: new Date('2026-10-05T02:00:00Z') }).where(eq(projectItems.id, item!.id));
		expect(await notifyReportsDue(db, '2026-11-04')).toBe(0);
		expect(await inboxOf(fx.people.part_time.id, 'report_due')).toHaveLength(0);

		expect(await notifyReportsDue(db, '2026-11-05')).toBe(1);
		expect(await notifyReportsDue(db, '2026-11-08')).toBe(1);
		const rows = await inboxOf(fx.people.part_time.id, 'report_due');
		expect(rows).toHaveLength(1);
		expect(rows[0]).toMatchObject({ dedupeKey: `report_due:${item!.id}:${fx.unitId}:2026-10`, params: { month: '2026-10', deadline: '2026-11-10' } });
		expect(await inboxOf(secondContactId, 'report_due')).toHaveLength(1);
		for (const id of [fx.people.convener.id, fx.people.observer.id, observerOfUnitId]) expect(await inboxOf(id, 'report_due')).toHaveLength(0);

		// Filed: no reminder for the next month's round until its own window.
		await db.insert(progressReports).values({ projectItemId: item!.id, unitId: fx.unitId, month: '2026-11', done: '已开展', progress: 20 });
		expect(await notifyReportsDue(db, '2026-12-06')).toBe(0);
		// After the deadline nobody is reminded (it is "missing" on the dashboard instead).
		expect(await notifyReportsDue(db, '2026-11-11')).toBe(0);
		// Done items expect no reports.
		await db.update(projectItems).set({ status: 'done' }).where(eq(projectItems.id, item!.id));
		expect(await notifyReportsDue(db, '2027-01-07')).toBe(0);
		await db.update(projectItems).set({ status: 'in_progress' }).where(eq(projectItems.id, item!.id));
		expect(await notifyReportsDue(db, '2027-01-07')).toBe(1);
		expect(await inboxOf(fx.people.part_time.id, 'report_due')).toHaveLength(2);
	});
});

describe('the inbox', () => {
	it('lists newest first, page by page, counts unread and marks read', async () => {
		const db = database.db;
		const [reader] = await db.insert(users).values({ username: `reader${fx.unitId.slice(0, 8)}`, displayName: '读者', passwordHash: 'x' }).returning();
		const me = reader!.id;
		expect(await listNotifications(db, me)).toMatchObject({ items: [], total: 0, unread: 0, page: 1, pages: 1 });
		for (let i = 0; i < 25; i++) {
			await notify(db, { userIds: [me], kind: 'mention', link: `/meetings/${fx.meetingId}#c${i}`, params: { actor: `同事${i}`, title: '十一月例会' } });
			// Distinct timestamps make "newest first" observable.
			await db.execute(`select pg_sleep(0.002)`);
		}
		// The same key twice is stored once.
		await notify(db, { userIds: [me, me], kind: 'reply', link: '/', dedupeKey: 'once' });
		await notify(db, { userIds: [me], kind: 'reply', link: '/', dedupeKey: 'once' });
		expect(await unreadCount(db, me)).toBe(26);

		const first = await listNotifications(db, me, 1, 20);
		expect(first).toMatchObject({ total: 26, unread: 26, page: 1, pages: 2 });
		expect(first.items).toHaveLength(20);
		expect(first.items[0]!.kind).toBe('reply');
		expect(first.items[1]!.params.actor).toBe('同事24');
		const second = await listNotifications(db, me, 2, 20);
		expect(second.items).toHaveLength(6);
		expect(second.items.at(-1)!.params.actor).toBe('同事0');
		expect(new Set([...first.items, ...second.items].map((n) => n.id)).size).toBe(26);
		expect((await listNotifications(db, me, 99, 20)).page).toBe(2);

		const target = first.items[1]!;
		expect(await markRead(db, fx.people.outsider.id, target.id)).toBeNull();
		expect(await markRead(db, me, 'not-a-uuid')).toBeNull();
		expect(await markRead(db, me, target.id)).toEqual({ link: target.link });
		expect(await unreadCount(db, me)).toBe(25);
		expect((await listNotifications(db, me, 1, 20)).items[1]!.read).toBe(true);
		expect(await markAllRead(db, me)).toBe(25);
		expect(await unreadCount(db, me)).toBe(0);
		expect(await markAllRead(db, me)).toBe(0);
	});

	it('names who acted in a comment from the id the comment module stores', async () => {
		const db = database.db;
		const me = fx.people.recorder.id;
		await notify(db, { userIds: [me], kind: 'reply', link: `/meetings/${fx.meetingId}`, params: { threadId: 'x', commentId: 'y', actorId: fx.people.member.id, title: '十一月例会' }, dedupeKey: 'reply:y' });
		const [row] = (await listNotifications(db, me)).items.filter((n) => n.kind === 'reply');
		const [member] = await db.select({ name: users.displayName }).from(users).where(eq(users.id, fx.people.member.id));
		expect(row!.params.actor).toBe(member!.name);
		expect(notificationMessage(translator('zh-CN'), row!.kind, row!.params)).toMatch(/^member .+ 在「十一月例会」中回复了你参与的评论$/);
	});

	it('writes messages from kind and params in either language, short when params are missing', () => {
		const en = translator('en');
		expect(notificationMessage(en, 'mention', { actor: '王芳', title: '十一月例会' })).toBe('王芳 mentioned you in a comment on “十一月例会”');
		expect(notificationMessage(en, 'mention', { actor: '王芳' })).toBe('Someone mentioned you in a comment');
		expect(notificationMessage(en, 'mention', {})).toBe('Someone mentioned you in a comment');
		expect(notificationMessage(translator('zh-CN'), 'decision', { item: '义诊', unit: '测试医院' })).toBe('决议事项「义诊」已交由测试医院负责');
		expect(notificationMessage(en, 'something-else', {})).toBe('New notification');
	});

	it('keeps email settings, refusing a malformed address or mode', async () => {
		const db = database.db;
		const me = fx.people.member.id;
		expect(await emailSettings(db, me)).toEqual({ email: '', mode: 'instant' });
		expect(await setEmailSettings(db, me, { email: 'not an address', mode: 'instant' })).toBe('account.emailInvalid');
		expect(await setEmailSettings(db, me, { email: 'a@b.cn', mode: 'weekly' })).toBe('account.emailModeInvalid');
		expect(await emailSettings(db, me)).toEqual({ email: '', mode: 'instant' });
		expect(await setEmailSettings(db, me, { email: ' wang@jiedao.gov.cn ', mode: 'daily' })).toBeNull();
		expect(await emailSettings(db, me)).toEqual({ email: 'wang@jiedao.gov.cn', mode: 'daily' });
		expect(await setEmailSettings(db, me, { email: '', mode: 'off' })).toBeNull();
	});
});
