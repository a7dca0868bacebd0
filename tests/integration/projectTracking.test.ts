import { and, count, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, meetings, memberships, progressReports, projectItems, reportAttachments, units, users } from '../../src/lib/server/db/schema';
import { addMonths, chinaMonth, chinaToday } from '../../src/lib/domain/projectStatus';
import { attachment, fileReport, missingReports, myItems, reportsOf, setReportDay, type AttachmentUpload } from '../../src/lib/server/progressReport';
import { transitionMeeting } from '../../src/lib/server/meetingLifecycle';
import { changeDueDate, changeStatus, getProjectItem, itemHistory, projectItemsOfMeeting, projectSubject, reassign, type Actor } from '../../src/lib/server/projectItem';
import { hashPassword } from '../../src/lib/server/auth/password';
import { claimItem, claimsOf, decideClaim } from '../../src/lib/server/projectClaim';
import { projectErrorResponse, readReportRequest } from '../../src/lib/server/projectApi';
import { ProjectItemError } from '../../src/lib/server/projectItem';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createCommitteeFixture, type CommitteeFixture } from '../helpers/fixtures';
import { decision, docOf, h, writeMinutes } from '../helpers/minutes';

let database: TestDatabase;
let fx: CommitteeFixture;
/** A second member unit of the committee, with its own part-time member (its contact). */
let otherUnitId: string;
let otherContact: Actor;
let itemId: string;
const D1 = 'a5a5a5a5-0000-4000-8000-000000000001';

const as = (role: keyof CommitteeFixture['people']): Actor => ({ id: fx.people[role].id, isAdmin: role === 'admin' });

beforeAll(async () => {
	database = await createTestDatabase();
	const db = database.db;
	fx = await createCommitteeFixture(db);
	const [unit] = await db.select().from(units).where(eq(units.id, fx.unitId));
	const [other] = await db.insert(units).values({ districtId: unit!.districtId, name: `另一单位${fx.unitId.slice(0, 6)}`, kind: 'school' }).returning();
	otherUnitId = other!.id;
	const [person] = await db
		.insert(users)
		.values({ username: `other${fx.unitId.slice(0, 8)}`, displayName: '另一单位联系人', passwordHash: await hashPassword('x-password-1') })
		.returning();
	await db.insert(memberships).values({ committeeId: fx.committeeId, userId: person!.id, role: 'part_time', unitId: otherUnitId });
	otherContact = { id: person!.id, isAdmin: false };

	// The path a real item takes: minutes with a decision, finalized by the convener.
	await writeMinutes(db, fx.meetingId, docOf(h(1, '十一月例会纪要'), decision(D1, '由测试医院牵头开展义诊进社区活动', [fx.unitId], '2026-12-31')));
	for (const transition of ['start', 'review', 'finalize'] as const) await transitionMeeting(db, { meetingId: fx.meetingId, transition, actor: as('convener'), override: '测试：跳过确认' });
	const [item] = await projectItemsOfMeeting(db, fx.meetingId);
	itemId = item!.id;
});
afterAll(() => database?.destroy());

describe('status, due date and reassignment', () => {
	it('are refused to members, part-time members, observers and outsiders, and nothing is written', async () => {
		for (const role of ['member', 'part_time', 'observer', 'outsider'] as const) {
			await expect(changeStatus(database.db, as(role), itemId, { status: 'in_progress', reason: '已启动' })).rejects.toMatchObject({ key: 'project.error.notAllowed' });
			await expect(changeDueDate(database.db, as(role), itemId, { dueDate: '2027-03-31', reason: '延期' })).rejects.toMatchObject({ key: 'project.error.notAllowed' });
			await expect(reassign(database.db, as(role), itemId, { units: [{ unitId: otherUnitId, personName: '王' }], reason: '调整' })).rejects.toMatchObject({
				key: 'project.error.notAllowed'
			});
		}
		const item = await getProjectItem(database.db, itemId);
		expect(item).toMatchObject({ status: 'not_started', dueDate: '2026-12-31' });
		expect(await database.db.select().from(auditLog).where(eq(auditLog.subject, projectSubject(itemId)))).toHaveLength(0);
	});

	it('need a reason, a real date, a hold reason and member units', async () => {
		const db = database.db;
		await expect(changeStatus(db, as('convener'), itemId, { status: 'in_progress', reason: '  ' })).rejects.toMatchObject({ key: 'project.error.reasonRequired' });
		await expect(changeStatus(db, as('convener'), itemId, { status: 'on_hold', reason: '' })).rejects.toMatchObject({ key: 'project.error.holdReasonRequired' });
		await expect(changeStatus(db, as('convener'), itemId, { status: 'overdue', reason: '手动逾期' })).rejects.toMatchObject({ key: 'project.error.unknownStatus' });
		await expect(changeStatus(db, as('convener'), itemId, { status: 'not_started', reason: '无变化' })).rejects.toMatchObject({ key: 'project.error.unchanged' });
		await expect(changeDueDate(db, as('recorder'), itemId, { dueDate: '2027-02-30', reason: '延期' })).rejects.toMatchObject({ key: 'project.error.badDate' });
		await expect(changeDueDate(db, as('recorder'), itemId, { dueDate: '2027-03-31', reason: '' })).rejects.toMatchObject({ key: 'project.error.reasonRequired' });
		const stranger = '00000000-0000-4000-8000-00000000beef';
		await expect(reassign(db, as('convener'), itemId, { units: [{ unitId: stranger, personName: '' }], reason: '调整' })).rejects.toMatchObject({
			key: 'project.error.unknownUnit'
		});
		await expect(reassign(db, as('convener'), itemId, { units: [], reason: '调整' })).rejects.toMatchObject({ key: 'project.error.noUnits' });
		await expect(changeStatus(db, as('convener'), '00000000-0000-4000-8000-000000000000', { status: 'done', reason: 'x' })).rejects.toMatchObject({
			key: 'project.error.notFound'
		});
		expect(await db.select().from(auditLog).where(eq(auditLog.subject, projectSubject(itemId)))).toHaveLength(0);
	});

	it('are allowed to the convener, the recorder and an administrator, each audited with from, to and reason', async () => {
		const db = database.db;
		let item = await changeDueDate(db, as('recorder'), itemId, { dueDate: '2027-03-31', reason: '天气原因延期' });
		expect(item.dueDate).toBe('2027-03-31');
		item = await reassign(db, as('convener'), itemId, {
			units: [
				{ unitId: fx.unitId, personName: '张医生' },
				{ unitId: otherUnitId, personName: '李老师' }
			],
			reason: '学校加入'
		});
		expect(item.units.map((u) => [u.id, u.personName]).sort()).toEqual(
			[
				[fx.unitId, '张医生'],
				[otherUnitId, '李老师']
			].sort()
		);
		item = await changeStatus(db, as('admin'), itemId, { status: 'on_hold', reason: '等待场地' });
		expect(item).toMatchObject({ status: 'on_hold', displayStatus: 'on_hold', holdReason: '等待场地' });
		item = await changeStatus(db, as('convener'), itemId, { status: 'in_progress', reason: '场地已落实' });
		expect(item).toMatchObject({ status: 'in_progress', holdReason: '' });
		const rows = await db.select().from(auditLog).where(eq(auditLog.subject, projectSubject(itemId))).orderBy(auditLog.id);
		expect(rows.map((r) => [r.action, r.actorId])).toEqual([
			['project.due', fx.people.recorder.id],
			['project.reassign', fx.people.convener.id],
			['project.status', fx.people.admin.id],
			['project.status', fx.people.convener.id]
		]);
		expect(rows[0]!.details).toEqual({ from: '2026-12-31', to: '2027-03-31', reason: '天气原因延期' });
		expect(rows[2]!.details).toEqual({ from: 'not_started', to: 'on_hold', reason: '等待场地' });

		const history = await itemHistory(db, itemId);
		expect(history.map((e) => e.action)).toEqual(['project.created', 'project.due', 'project.reassign', 'project.status', 'project.status']);
		const reassigned = history[2]!;
		const [convenerUser] = await db.select().from(users).where(eq(users.id, fx.people.convener.id));
		expect(reassigned.actorName).toBe(convenerUser!.displayName);
		if (reassigned.action !== 'project.reassign') throw new Error('expected a reassignment');
		expect(reassigned.from.map((a) => a.unitId)).toEqual([fx.unitId]);
		expect(reassigned.to.find((a) => a.unitId === otherUnitId)).toMatchObject({ personName: '李老师' });
		expect(reassigned.reason).toBe('学校加入');
	});

	it('survive the minutes being reopened and finalized again when the decision itself did not change', async () => {
		const db = database.db;
		await transitionMeeting(db, { meetingId: fx.meetingId, transition: 'reopen', actor: as('convener'), reason: '修改错字' });
		await writeMinutes(db, fx.meetingId, docOf(h(1, '十一月例会纪要'), decision(D1, '由测试医院牵头开展义诊进社区活动。', [fx.unitId], '2026-12-31')));
		await transitionMeeting(db, { meetingId: fx.meetingId, transition: 'finalize', actor: as('convener'), override: '测试：跳过确认' });
		const item = await getProjectItem(db, itemId);
		expect(item!.dueDate).toBe('2027-03-31');
		expect(item!.units.map((u) => u.personName).sort()).toEqual(['张医生', '李老师'].sort());
		// A changed due date in the minutes wins and is recorded in the history.
		await transitionMeeting(db, { meetingId: fx.meetingId, transition: 'reopen', actor: as('convener'), reason: '调整时限' });
		await writeMinutes(db, fx.meetingId, docOf(h(1, '十一月例会纪要'), decision(D1, '由测试医院牵头开展义诊进社区活动。', [fx.unitId], '2027-06-30')));
		await transitionMeeting(db, { meetingId: fx.meetingId, transition: 'finalize', actor: as('convener'), override: '测试：跳过确认' });
		const [row] = await db.select().from(projectItems).where(eq(projectItems.id, itemId));
		expect(row!.dueDate).toBe('2027-06-30');
		const [audit] = await db
			.select()
			.from(auditLog)
			.where(and(eq(auditLog.subject, projectSubject(itemId)), eq(auditLog.action, 'project.due')))
			.orderBy(auditLog.id)
			.offset(1);
		expect(audit!.details).toMatchObject({ from: '2027-03-31', to: '2027-06-30', source: 'minutes' });
		// Units stay as reassigned: the decision's units did not change.
		expect((await getProjectItem(db, itemId))!.units).toHaveLength(2);
	});
});

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 1, 2, 3]);
const PDF = new TextEncoder().encode('%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n');
const EXE = new Uint8Array([0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xff, 0xff]);
const file = (filename: string, declaredType: string, data: Uint8Array): AttachmentUpload => ({ filename, declaredType, data });

describe('monthly progress reports', () => {
	const D2 = 'a5a5a5a5-0000-4000-8000-000000000002';
	let item2: string;
	const M = chinaMonth();
	const M1 = addMonths(M, 1);
	const fields = (progress: number, done = '已开展义诊两次') => ({ done, progress, problems: '', helpNeeded: '' });

	beforeAll(async () => {
		const db = database.db;
		const [meeting] = await db.insert(meetings).values({ committeeId: fx.committeeId, title: '十二月例会', kind: 'regular', startsAt: new Date() }).returning();
		await writeMinutes(db, meeting!.id, docOf(h(1, '十二月例会纪要'), decision(D2, '组织驻区单位志愿者参与冬季巡逻', [fx.unitId], '2027-02-28')));
		for (const transition of ['start', 'review', 'finalize'] as const) await transitionMeeting(db, { meetingId: meeting!.id, transition, actor: as('convener'), override: '测试：跳过确认' });
		item2 = (await projectItemsOfMeeting(db, meeting!.id))[0]!.id;
	});

	const counts = async () => {
		const db = database.db;
		const [r] = await db.select({ n: count() }).from(progressReports).where(eq(progressReports.projectItemId, item2));
		const ids = (await db.select({ id: progressReports.id }).from(progressReports).where(eq(progressReports.projectItemId, item2))).map((x) => x.id);
		const [a] = ids.length ? await db.select({ n: count() }).from(reportAttachments).where(inArray(reportAttachments.reportId, ids)) : [{ n: 0 }];
		const [l] = await db.select({ n: count() }).from(auditLog).where(eq(auditLog.subject, projectSubject(item2)));
		return { reports: r!.n, attachments: a!.n, audit: l!.n };
	};

	it('are refused to units that are not responsible, and to people representing no unit', async () => {
		const db = database.db;
		await expect(fileReport(db, otherContact, item2, M, fields(10))).rejects.toMatchObject({ key: 'project.report.notAllowed' });
		await expect(fileReport(db, otherContact, item2, M, { ...fields(10), unitId: fx.unitId })).rejects.toMatchObject({ key: 'project.report.notAllowed' });
		await expect(fileReport(db, otherContact, item2, M, { ...fields(10), unitId: otherUnitId })).rejects.toMatchObject({ key: 'project.report.unitNotResponsible' });
		for (const role of ['member', 'observer', 'outsider'] as const) await expect(fileReport(db, as(role), item2, M, fields(10))).rejects.toMatchObject({ key: 'project.report.notAllowed' });
		await expect(fileReport(db, as('convener'), item2, M, fields(10))).rejects.toMatchObject({ key: 'project.report.unitRequired' });
		await expect(fileReport(db, as('convener'), item2, M, { ...fields(10), unitId: otherUnitId })).rejects.toMatchObject({ key: 'project.report.unitNotResponsible' });
		expect(await counts()).toEqual({ reports: 0, attachments: 0, audit: 0 });
	});

	it('validate month, progress and text', async () => {
		const db = database.db;
		const contact = as('part_time');
		await expect(fileReport(db, contact, item2, '2026-13', fields(10))).rejects.toMatchObject({ key: 'project.report.badMonth' });
		await expect(fileReport(db, contact, item2, M1, fields(10))).rejects.toMatchObject({ key: 'project.report.futureMonth' });
		await expect(fileReport(db, contact, item2, addMonths(M, -1), fields(10))).rejects.toMatchObject({ key: 'project.report.beforeItem' });
		await expect(fileReport(db, contact, item2, M, fields(101))).rejects.toMatchObject({ key: 'project.report.badProgress' });
		await expect(fileReport(db, contact, item2, M, fields(12.5))).rejects.toMatchObject({ key: 'project.report.badProgress' });
		await expect(fileReport(db, contact, item2, M, fields(10, '   '))).rejects.toMatchObject({ key: 'project.report.doneRequired' });
		await expect(fileReport(db, contact, item2, M, fields(10, '做'.repeat(2001)))).rejects.toMatchObject({ key: 'project.report.tooLong', params: { max: 2000 } });
		expect(await counts()).toEqual({ reports: 0, attachments: 0, audit: 0 });
	});

	it('refuse an attachment of the wrong type or size with a message naming it, and store nothing at all', async () => {
		const db = database.db;
		const contact = as('part_time');
		const refused = async (files: AttachmentUpload[], key: string, params: Record<string, unknown> = {}) => {
			await expect(fileReport(db, contact, item2, M, fields(20), files)).rejects.toMatchObject({ key, params });
			expect(await counts()).toEqual({ reports: 0, attachments: 0, audit: 0 });
		};
		// An executable sent as a PNG: the first bytes decide, not the declared type or the name.
		await refused([file('现场照片.png', 'image/png', PNG), file('setup.png', 'image/png', EXE)], 'project.attachment.badType', { name: 'setup.png' });
		await refused([file('tool.exe', 'application/octet-stream', EXE)], 'project.attachment.badType', { name: 'tool.exe' });
		// A real PNG declared as a PDF is refused too: the declaration lies.
		await refused([file('报告.pdf', 'application/pdf', PNG)], 'project.attachment.badType', { name: '报告.pdf' });
		const big = new Uint8Array(5 * 1024 * 1024 + 1);
		big.set(PNG);
		await refused([file('大图.png', 'image/png', big)], 'project.attachment.tooLarge', { name: '大图.png', max: 5 });
		await refused([file('空.pdf', 'application/pdf', new Uint8Array())], 'project.attachment.empty');
		await refused(Array.from({ length: 6 }, (_, i) => file(`${i}.png`, 'image/png', PNG)), 'project.attachment.tooMany', { max: 5 });
	});

	it('decision → item → monthly reports by the responsible unit → done, with history and audit rows', async () => {
		const db = database.db;
		const contact = as('part_time');
		// The first report, with a photo and a PDF (exactly 5 MiB is still accepted).
		const atLimit = new Uint8Array(5 * 1024 * 1024);
		atLimit.set(PDF);
		const first = await fileReport(db, contact, item2, M, { ...fields(30), helpNeeded: '需要社区协调场地' }, [
			file('C:\\fakepath\\现场照片.png', 'image/png', PNG),
			file('方案.pdf', 'application/pdf', atLimit)
		]);
		expect(first).toMatchObject({ unitId: fx.unitId, month: M, progress: 30, helpNeeded: '需要社区协调场地', late: false });
		expect(first.attachments.map((a) => [a.filename, a.mimeType, a.size])).toEqual([
			['现场照片.png', 'image/png', PNG.length],
			['方案.pdf', 'application/pdf', 5 * 1024 * 1024]
		].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)));
		let item = (await getProjectItem(db, item2))!;
		expect(item).toMatchObject({ status: 'in_progress', progress: 30 });

		// Amended within the window: same row, PDF dropped.
		const pdfId = first.attachments.find((a) => a.mimeType === 'application/pdf')!.id;
		const amended = await fileReport(db, contact, item2, M, { ...fields(40), removeAttachmentIds: [pdfId] });
		expect(amended.id).toBe(first.id);
		expect(amended.attachments.map((a) => a.filename)).toEqual(['现场照片.png']);
		expect((await getProjectItem(db, item2))!.progress).toBe(40);

		// After the window closed (report day 10 of the next month) only the convener or recorder corrects it.
		const afterWindow = `${M1}-11`;
		await expect(fileReport(db, contact, item2, M, fields(45), [], afterWindow)).rejects.toMatchObject({ key: 'project.report.windowClosed', params: { month: M, deadline: `${M1}-10` } });
		await fileReport(db, as('recorder'), item2, M, { ...fields(45), unitId: fx.unitId }, [], afterWindow);

		// Next month's report moves the item's progress; the convener marks it done.
		await fileReport(db, contact, item2, M1, fields(100, '巡逻队已组建并常态化运行'), [], `${M1}-20`);
		expect((await getProjectItem(db, item2))!.progress).toBe(100);
		item = await changeStatus(db, as('convener'), item2, { status: 'done', reason: '验收通过' });
		expect(item).toMatchObject({ status: 'done', displayStatus: 'done', doneOn: chinaToday(), doneLate: false, progress: 100 });

		const reports = await reportsOf(db, item2);
		expect(reports.map((r) => [r.month, r.progress, r.unitName])).toEqual([
			[M1, 100, reports[0]!.unitName],
			[M, 45, reports[0]!.unitName]
		]);
		const rows = await db.select().from(auditLog).where(eq(auditLog.subject, projectSubject(item2))).orderBy(auditLog.id);
		expect(rows.map((r) => [r.action, r.actorId, r.details.month ?? r.details.to])).toEqual([
			['project.status', fx.people.part_time.id, 'in_progress'],
			['project.report', fx.people.part_time.id, M],
			['project.report', fx.people.part_time.id, M],
			['project.report', fx.people.recorder.id, M],
			['project.report', fx.people.part_time.id, M1],
			['project.status', fx.people.convener.id, 'done']
		]);
		expect(rows[2]!.details).toMatchObject({ amended: true, removedAttachments: 1, progress: 40 });
		const history = await itemHistory(db, item2);
		expect(history.map((e) => e.action)).toEqual(['project.created', 'project.status', 'project.report', 'project.report', 'project.report', 'project.report', 'project.status']);
		const firstReport = history[2]!;
		if (firstReport.action !== 'project.report') throw new Error('expected a report');
		expect(firstReport).toMatchObject({ month: M, progress: 30, amended: false, attachments: 2, unitName: reports[0]!.unitName });
		// Filed by the unit's contact, named as the history shows it.
		expect(firstReport.actorName).toMatch(/^part_time /);
	});

	it('serve attachment bytes only to those who may read the item', async () => {
		const db = database.db;
		const [report] = await reportsOf(db, item2).then((r) => r.filter((x) => x.month === M));
		const photo = report!.attachments[0]!;
		const got = await attachment(db, as('observer'), photo.id);
		expect(Array.from(got.data)).toEqual(Array.from(PNG));
		expect(got).toMatchObject({ filename: '现场照片.png', mimeType: 'image/png', size: PNG.length });
		expect((await attachment(db, as('admin'), photo.id)).sha256).toBe(photo.sha256);
		await expect(attachment(db, as('outsider'), photo.id)).rejects.toMatchObject({ key: 'project.attachment.notFound' });
		await expect(attachment(db, as('outsider'), '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ key: 'project.attachment.notFound' });
	});

	it('list "my items" with this month\'s state, and the committee\'s missing reports', async () => {
		const db = database.db;
		const today = chinaToday();
		const mine = await myItems(db, as('part_time'), today);
		// Both items (the first was reassigned to both units), each for the contact's own unit.
		expect(mine.map((m) => m.item.id).sort()).toEqual([itemId, item2].sort());
		const first = mine.find((m) => m.item.id === itemId)!;
		expect(first).toMatchObject({ unitId: fx.unitId, expectsReports: true });
		expect(first.due.state).toBe('due');
		expect(mine.find((m) => m.item.id === item2)!.expectsReports).toBe(false);
		expect(await myItems(db, as('member'), today)).toEqual([]);
		const others = await myItems(db, otherContact, today);
		expect(others.map((m) => [m.item.id, m.unitId])).toEqual([[itemId, otherUnitId]]);

		// Once this month's window has closed, the first item (no reports) is missing one per unit.
		await setReportDay(db, as('convener'), fx.committeeId, 15);
		await expect(setReportDay(db, as('member'), fx.committeeId, 12)).rejects.toMatchObject({ key: 'project.error.notAllowed' });
		await expect(setReportDay(db, as('convener'), fx.committeeId, 29)).rejects.toMatchObject({ key: 'project.report.badReportDay' });
		expect(await missingReports(db, fx.committeeId, `${M1}-15`)).toEqual([]);
		const missing = await missingReports(db, fx.committeeId, `${M1}-16`);
		expect(missing.map((m) => [m.itemId, m.unitId, m.month, m.deadline]).sort()).toEqual(
			[
				[itemId, fx.unitId, M, `${M1}-15`],
				[itemId, otherUnitId, M, `${M1}-15`]
			].sort()
		);
		expect((await myItems(db, otherContact, `${M1}-16`))[0]!.lastClosed).toEqual({ month: M, deadline: `${M1}-15`, state: 'missing' });
	});
});

describe('claims', () => {
	const D3 = 'a5a5a5a5-0000-4000-8000-000000000003';
	let item3: string;

	beforeAll(async () => {
		const db = database.db;
		const [meeting] = await db.insert(meetings).values({ committeeId: fx.committeeId, title: '专题会', kind: 'special', startsAt: new Date() }).returning();
		await writeMinutes(db, meeting!.id, docOf(h(1, '专题会纪要'), decision(D3, '为辖区老人开设智能手机课堂', [fx.unitId], '2027-05-31')));
		for (const transition of ['start', 'review', 'finalize'] as const) await transitionMeeting(db, { meetingId: meeting!.id, transition, actor: as('convener'), override: '测试：跳过确认' });
		item3 = (await projectItemsOfMeeting(db, meeting!.id))[0]!.id;
	});

	it('a member unit claims an item; only the convener confirms it, and the unit becomes responsible', async () => {
		const db = database.db;
		await expect(claimItem(db, as('part_time'), item3, {})).rejects.toMatchObject({ key: 'project.claim.alreadyResponsible' });
		await expect(claimItem(db, as('member'), item3, {})).rejects.toMatchObject({ key: 'project.claim.notAllowed' });
		await expect(claimItem(db, otherContact, item3, { unitId: fx.unitId })).rejects.toMatchObject({ key: 'project.claim.notAllowed' });
		const claim = await claimItem(db, otherContact, item3, { personName: '李老师', note: '学校有机房' });
		expect(claim).toMatchObject({ unitId: otherUnitId, status: 'pending', personName: '李老师' });
		await expect(claimItem(db, otherContact, item3, {})).rejects.toMatchObject({ key: 'project.claim.pending' });
		await expect(decideClaim(db, as('recorder'), claim.id, { confirm: true })).rejects.toMatchObject({ key: 'project.claim.notAllowed' });
		await expect(decideClaim(db, as('convener'), claim.id, { confirm: false })).rejects.toMatchObject({ key: 'project.error.reasonRequired' });
		const confirmed = await decideClaim(db, as('convener'), claim.id, { confirm: true });
		expect(confirmed).toMatchObject({ status: 'confirmed', decidedBy: fx.people.convener.id });
		await expect(decideClaim(db, as('convener'), claim.id, { confirm: false, reason: '改变主意' })).rejects.toMatchObject({ key: 'project.claim.decided' });
		const item = (await getProjectItem(db, item3))!;
		expect(item.units.find((u) => u.id === otherUnitId)).toMatchObject({ personName: '李老师' });
		expect((await claimsOf(db, item3)).map((c) => c.status)).toEqual(['confirmed']);
		const history = await itemHistory(db, item3);
		expect(history.filter((e) => e.action === 'project.claim').map((e) => (e.action === 'project.claim' ? [e.unitId, e.status] : []))).toEqual([
			[otherUnitId, 'pending'],
			[otherUnitId, 'confirmed']
		]);
	});
});

describe('API request parsing and errors', () => {
	it('reads a report from a multipart form with files, as a browser form or the API sends it', async () => {
		const form = new FormData();
		form.set('month', '2026-11');
		form.set('done', '完成入户走访');
		form.set('progress', '45');
		form.set('helpNeeded', '协调场地');
		form.append('removeAttachmentIds', 'a');
		form.append('attachments', new Blob([PNG], { type: 'image/png' }), '照片.png');
		form.append('attachments', new Blob([], { type: 'application/octet-stream' }), '');
		const parsed = await readReportRequest(new Request('http://x/', { method: 'POST', body: form }));
		expect(parsed.month).toBe('2026-11');
		expect(parsed.fields).toMatchObject({ done: '完成入户走访', progress: 45, helpNeeded: '协调场地', removeAttachmentIds: ['a'], unitId: undefined });
		expect(parsed.attachments).toHaveLength(1);
		expect(parsed.attachments[0]).toMatchObject({ filename: '照片.png', declaredType: 'image/png' });
		expect(Array.from(parsed.attachments[0]!.data)).toEqual(Array.from(PNG));
	});

	it('reads a report from JSON with base64 attachments', async () => {
		const body = { month: '2026-11', done: '完成', progress: 50, attachments: [{ filename: 'a.pdf', type: 'application/pdf', base64: Buffer.from(PDF).toString('base64') }] };
		const parsed = await readReportRequest(new Request('http://x/', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));
		expect(parsed.fields.progress).toBe(50);
		expect(new TextDecoder().decode(parsed.attachments[0]!.data)).toBe(new TextDecoder().decode(PDF));
		await expect(readReportRequest(new Request('http://x/', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' }))).rejects.toMatchObject({
			response: expect.objectContaining({ status: 415 })
		});
	});

	it('maps refusals to status codes with an English message and the parameters', async () => {
		const tooLarge = projectErrorResponse(new ProjectItemError('project.attachment.tooLarge', { name: 'a.png', max: 5 }));
		expect(tooLarge.status).toBe(413);
		expect(await tooLarge.json()).toEqual({ error: { code: 'attachment.tooLarge', message: 'The attachment "a.png" is larger than 5 MB; nothing was saved.', params: { name: 'a.png', max: 5 } } });
		const long = await projectErrorResponse(new ProjectItemError('project.report.tooLong', { field: 'project.report.field.helpNeeded', max: 1000 })).json();
		expect(long.error.message).toBe('"Help needed" may be at most 1000 characters.');
		expect(projectErrorResponse(new ProjectItemError('project.report.notAllowed')).status).toBe(403);
		const notAllowed = projectErrorResponse(new ProjectItemError('project.error.notAllowed'));
		expect([notAllowed.status, (await notAllowed.json()).error.code]).toEqual([403, 'notAllowed']);
		expect(projectErrorResponse(new ProjectItemError('project.report.windowClosed', { month: '2026-11', deadline: '2026-12-10' })).status).toBe(409);
	});
});
