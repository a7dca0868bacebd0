import { eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, evaluationScores, memberships, submissionThrottle, units, users } from '../../src/lib/server/db/schema';
import { DEFAULT_CRITERIA } from '../../src/lib/domain/evaluation';
import {
	closeRound,
	createRound,
	evaluationResults,
	generateLinks,
	listLinks,
	memberScored,
	openRound,
	roundSubject,
	scoringPage,
	submitLinkScore,
	submitMemberScore,
	updateRound,
	type Actor,
	type RoundInput
} from '../../src/lib/server/evaluation';
import { transitionMeeting } from '../../src/lib/server/meetingLifecycle';
import { projectItemsOfMeeting } from '../../src/lib/server/projectItem';
import { hashPassword } from '../../src/lib/server/auth/password';
import { evaluationReports, freezeEvaluationReport } from '../../src/lib/server/evaluationReport';
import { plainText } from '../../src/lib/server/minutes';
import { getRecord, verifyRecord } from '../../src/lib/server/record';
import { renderRecord } from '../../src/lib/server/recordExport';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createCommitteeFixture, type CommitteeFixture } from '../helpers/fixtures';
import { decision, docOf, h, writeMinutes } from '../helpers/minutes';

let database: TestDatabase;
let fx: CommitteeFixture;
/** Items P1 (unit A = the fixture's hospital), P2 (unit B), P3 (unit C). */
let P: [string, string, string];
let unitB: string;
let unitC: string;
/** Part-time members for units B and C. */
const contacts: Actor[] = [];
const as = (role: keyof CommitteeFixture['people']): Actor => ({ id: fx.people[role].id, isAdmin: role === 'admin' });
const HOUR = 3600_000;

function input(over: Partial<RoundInput> = {}): RoundInput {
	return {
		title: '2026年度共建项目述职评议',
		year: 2026,
		projectItemIds: P,
		criteria: DEFAULT_CRITERIA,
		opensAt: new Date(Date.now() - HOUR).toISOString(),
		closesAt: new Date(Date.now() + 2 * HOUR).toISOString(),
		...over
	};
}
const score = (projectItemId: string, scores: unknown[], comment = '') => ({ projectItemId, scores, comment });
const scoresOf = async (roundId: string) => database.db.select().from(evaluationScores).where(eq(evaluationScores.roundId, roundId));

beforeAll(async () => {
	database = await createTestDatabase();
	const db = database.db;
	fx = await createCommitteeFixture(db);
	const [unitA] = await db.select().from(units).where(eq(units.id, fx.unitId));
	const made = await db
		.insert(units)
		.values([
			{ districtId: unitA!.districtId, name: `乙学校${fx.unitId.slice(0, 6)}`, kind: 'school' },
			{ districtId: unitA!.districtId, name: `丙公司${fx.unitId.slice(0, 6)}`, kind: 'enterprise' }
		])
		.returning();
	unitB = made[0]!.id;
	unitC = made[1]!.id;
	// Decisions may name only the committee's member units: each gets a part-time member.
	for (const [i, unitId] of [unitB, unitC].entries()) {
		const [person] = await db.insert(users).values({ username: `eval${i}${fx.unitId.slice(0, 8)}`, displayName: `单位联系人${i}`, passwordHash: await hashPassword('x-password-1') }).returning();
		await db.insert(memberships).values({ committeeId: fx.committeeId, userId: person!.id, role: 'part_time', unitId });
		contacts.push({ id: person!.id, isAdmin: false });
	}
	await writeMinutes(
		db,
		fx.meetingId,
		docOf(
			h(1, '十一月例会纪要'),
			decision('e0e0e0e0-0000-4000-8000-000000000001', '开展义诊进社区活动', [fx.unitId], '2026-12-31'),
			decision('e0e0e0e0-0000-4000-8000-000000000002', '开放学校操场供居民夜间锻炼', [unitB], '2026-12-31'),
			decision('e0e0e0e0-0000-4000-8000-000000000003', '为老旧小区加装电动车充电桩', [unitC], '2026-12-31')
		)
	);
	for (const transition of ['start', 'review', 'finalize'] as const) await transitionMeeting(db, { meetingId: fx.meetingId, transition, actor: as('convener'), override: '测试：跳过确认' });
	const items = await projectItemsOfMeeting(db, fx.meetingId);
	const byText = (t: string) => items.find((i) => i.decisionText === t)!.id;
	P = [byText('开展义诊进社区活动'), byText('开放学校操场供居民夜间锻炼'), byText('为老旧小区加装电动车充电桩')];
});
afterAll(() => database?.destroy());

describe('rounds', () => {
	it('are created by the convener, recorder or an administrator only, with valid criteria, window and projects', async () => {
		const db = database.db;
		for (const role of ['member', 'part_time', 'observer', 'outsider'] as const) {
			await expect(createRound(db, as(role), fx.committeeId, input())).rejects.toMatchObject({ key: 'evaluation.error.notAllowed' });
		}
		await expect(createRound(db, as('convener'), fx.committeeId, input({ title: ' ' }))).rejects.toMatchObject({ key: 'evaluation.error.titleRequired' });
		await expect(createRound(db, as('convener'), fx.committeeId, input({ closesAt: new Date(Date.now() - 2 * HOUR).toISOString() }))).rejects.toMatchObject({ key: 'evaluation.error.windowOrder' });
		await expect(createRound(db, as('convener'), fx.committeeId, input({ opensAt: 'soon' }))).rejects.toMatchObject({ key: 'evaluation.error.badOpensAt' });
		await expect(createRound(db, as('convener'), fx.committeeId, input({ criteria: [] }))).rejects.toMatchObject({ key: 'evaluation.criteria.count' });
		await expect(createRound(db, as('convener'), fx.committeeId, input({ criteria: [{ label: '效果', max: 101 }] }))).rejects.toMatchObject({ key: 'evaluation.criteria.badMax' });
		await expect(createRound(db, as('convener'), fx.committeeId, input({ projectItemIds: [] }))).rejects.toMatchObject({ key: 'evaluation.error.noProjects' });
		await expect(createRound(db, as('convener'), fx.committeeId, input({ projectItemIds: ['00000000-0000-4000-8000-000000000000'] }))).rejects.toMatchObject({
			key: 'evaluation.error.projectNotEligible'
		});
		// The items were decided in 2026: they are not another year's project list.
		await expect(createRound(db, as('convener'), fx.committeeId, input({ year: 2025 }))).rejects.toMatchObject({ key: 'evaluation.error.projectNotEligible' });
		const { id } = await createRound(db, as('recorder'), fx.committeeId, input({ title: '试评' }));
		const audit = await db.select().from(auditLog).where(eq(auditLog.subject, roundSubject(id)));
		expect(audit.map((a) => [a.action, a.actorId])).toEqual([['evaluation.round.created', fx.people.recorder.id]]);
	});
});

describe('scoring through links', () => {
	let roundId: string;
	let links: { serial: number; token: string }[];

	beforeAll(async () => {
		roundId = (await createRound(database.db, as('convener'), fx.committeeId, input())).id;
		links = await generateLinks(database.db, as('convener'), roundId, 3);
	});

	it('links are numbered, stored only as hashes, generated 1–500 at a time by managers, and audited', async () => {
		const db = database.db;
		expect(links.map((l) => l.serial)).toEqual([1, 2, 3]);
		expect(new Set(links.map((l) => l.token)).size).toBe(3);
		for (const l of links) expect(l.token).toMatch(/^[a-z2-7]{26}$/);
		await expect(generateLinks(db, as('convener'), roundId, 0)).rejects.toMatchObject({ key: 'evaluation.error.badLinkCount' });
		await expect(generateLinks(db, as('convener'), roundId, 501)).rejects.toMatchObject({ key: 'evaluation.error.badLinkCount' });
		await expect(generateLinks(db, as('member'), roundId, 5)).rejects.toMatchObject({ key: 'evaluation.error.notAllowed' });
		const stored = JSON.stringify(await db.execute('select * from evaluation_links'));
		for (const l of links) expect(stored).not.toContain(l.token);
		const more = await generateLinks(db, as('admin'), roundId, 2);
		expect(more.map((l) => l.serial)).toEqual([4, 5]);
		expect((await listLinks(db, roundId)).map((l) => l.serial)).toEqual([1, 2, 3, 4, 5]);
		const audit = await db.select().from(auditLog).where(eq(auditLog.subject, roundSubject(roundId))).orderBy(auditLog.id);
		expect(audit.map((a) => a.action)).toEqual(['evaluation.round.created', 'evaluation.links.generated', 'evaluation.links.generated']);
		expect(audit[2]!.details).toEqual({ count: 2, from: 4, to: 5 });
	});

	it('a link scores a project once; the second use, bad values, foreign projects and forged tokens are refused and store nothing', async () => {
		const db = database.db;
		const [l1] = links;
		await submitLinkScore(db, l1!.token, '10.0.0.1', score(P[0], [20, 20, 20, 20], '  义诊很及时  '));
		await expect(submitLinkScore(db, l1!.token, '10.0.0.1', score(P[0], [25, 25, 25, 25]))).rejects.toMatchObject({ key: 'evaluation.error.alreadyScored' });
		await expect(submitLinkScore(db, l1!.token, '10.0.0.1', score(P[1], [26, 20, 20, 20]))).rejects.toMatchObject({ key: 'evaluation.error.invalidScores' });
		await expect(submitLinkScore(db, l1!.token, '10.0.0.1', score(P[1], [20, 20, 20]))).rejects.toMatchObject({ key: 'evaluation.error.invalidScores' });
		await expect(submitLinkScore(db, l1!.token, '10.0.0.1', score(P[1], [20, 20, 20, 20], '长'.repeat(501)))).rejects.toMatchObject({ key: 'evaluation.error.commentTooLong' });
		await expect(submitLinkScore(db, l1!.token, '10.0.0.1', score(fx.meetingId, [20, 20, 20, 20]))).rejects.toMatchObject({ key: 'evaluation.error.notInRound' });
		await expect(submitLinkScore(db, 'a'.repeat(26), '10.0.0.1', score(P[1], [20, 20, 20, 20]))).rejects.toMatchObject({ key: 'evaluation.error.unknownLink' });
		await expect(submitLinkScore(db, 'not-a-token', '10.0.0.1', score(P[1], [20, 20, 20, 20]))).rejects.toMatchObject({ key: 'evaluation.error.unknownLink' });
		const stored = await scoresOf(roundId);
		expect(stored).toHaveLength(1);
		expect(stored[0]).toMatchObject({ projectItemId: P[0], scores: [20, 20, 20, 20], total: 80, comment: '义诊很及时', userId: null });
		// Anonymous: nothing in the audit log about the score, and no column that could hold an address.
		expect((await db.select().from(auditLog).where(eq(auditLog.subject, roundSubject(roundId)))).every((a) => !a.action.includes('score'))).toBe(true);
		expect(Object.keys(stored[0]!)).toEqual(['id', 'roundId', 'projectItemId', 'linkId', 'userId', 'scores', 'total', 'comment', 'createdAt']);
		const page = await scoringPage(db, l1!.token);
		expect(page?.scored).toEqual([P[0]]);
		expect(page?.projects.map((p) => p.id)).toEqual(P);
		expect(await scoringPage(db, 'a'.repeat(26))).toBeNull();
	});

	it('a round not open yet, past its window or closed refuses, and stores nothing', async () => {
		const db = database.db;
		const [, l2] = links;
		await expect(submitLinkScore(db, l2!.token, '10.0.0.2', score(P[0], [1, 1, 1, 1]), new Date(Date.now() - 2 * HOUR))).rejects.toMatchObject({ key: 'evaluation.error.notOpen' });
		await expect(submitLinkScore(db, l2!.token, '10.0.0.2', score(P[0], [1, 1, 1, 1]), new Date(Date.now() + 3 * HOUR))).rejects.toMatchObject({ key: 'evaluation.error.closed' });
		expect((await scoringPage(db, l2!.token, new Date(Date.now() - 2 * HOUR)))?.phase).toBe('pending');
		await closeRound(db, as('convener'), roundId);
		await expect(submitLinkScore(db, l2!.token, '10.0.0.2', score(P[0], [1, 1, 1, 1]))).rejects.toMatchObject({ key: 'evaluation.error.closed' });
		expect(await scoresOf(roundId)).toHaveLength(1);
		await expect(openRound(db, as('convener'), roundId, new Date(Date.now() - HOUR).toISOString())).rejects.toMatchObject({ key: 'evaluation.error.closesInPast' });
		await openRound(db, as('convener'), roundId, null);
		const audit = await db.select().from(auditLog).where(eq(auditLog.subject, roundSubject(roundId))).orderBy(auditLog.id);
		expect(audit.slice(-2).map((a) => a.action)).toEqual(['evaluation.round.closed', 'evaluation.round.opened']);
	});

	it('ten concurrent submissions with the same link and project store exactly one', async () => {
		const db = database.db;
		const [, l2] = links;
		const outcomes = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => submitLinkScore(db, l2!.token, '10.0.0.3', score(P[1], [20, 20, 20, 15 - (i % 2)]))));
		expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
		for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toMatchObject({ key: 'evaluation.error.alreadyScored' });
		const stored = (await scoresOf(roundId)).filter((s) => s.projectItemId === P[1]);
		expect(stored).toHaveLength(1);
	});

	it('a member of the committee scores each project once as themselves; observers, outsiders and the unit’s own people may not', async () => {
		const db = database.db;
		await expect(submitMemberScore(db, as('observer'), roundId, score(P[1], [25, 25, 25, 20]))).rejects.toMatchObject({ key: 'evaluation.error.notMember' });
		await expect(submitMemberScore(db, as('outsider'), roundId, score(P[1], [25, 25, 25, 20]))).rejects.toMatchObject({ key: 'evaluation.error.notMember' });
		await expect(submitMemberScore(db, as('part_time'), roundId, score(P[0], [25, 25, 25, 20]))).rejects.toMatchObject({ key: 'evaluation.error.ownUnit' });
		const outcomes = await Promise.allSettled([1, 2, 3].map(() => submitMemberScore(db, as('member'), roundId, score(P[1], [25, 25, 25, 20], '操场开放后反响很好'))));
		expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
		await expect(submitMemberScore(db, as('member'), roundId, score(P[1], [1, 1, 1, 1]))).rejects.toMatchObject({ key: 'evaluation.error.alreadyScored' });
		expect(await memberScored(db, fx.people.member.id, roundId)).toEqual([P[1]]);
		const mine = (await scoresOf(roundId)).filter((s) => s.userId === fx.people.member.id);
		expect(mine).toHaveLength(1);
		expect(mine[0]).toMatchObject({ linkId: null, total: 95 });
	});

	it('results: means per criterion and total, counts, comments, and units ranked with ties', async () => {
		const db = database.db;
		const [, l2, l3] = links;
		// P1: 80 (link 1) and 90 → 85; P2: 75 (link 2, above) and 95 (member) → 85; P3: 40 → 40.
		await submitLinkScore(db, l2!.token, '10.0.0.4', score(P[0], [25, 25, 20, 20], '希望常态化'));
		await submitLinkScore(db, l3!.token, '10.0.0.4', score(P[2], [10, 10, 10, 10]));
		const results = await evaluationResults(db, roundId);
		expect(results).not.toBeNull();
		const r = results!;
		expect(r.round).toMatchObject({ id: roundId, committeeId: fx.committeeId, year: 2026, state: 'open', phase: 'open' });
		expect(r.criteria).toEqual(DEFAULT_CRITERIA);
		expect(r.maxTotal).toBe(100);
		const [p1, p2, p3] = r.projects;
		expect(p1).toMatchObject({ projectItemId: P[0], count: 2, means: [22.5, 22.5, 20, 20], meanTotal: 85, comments: ['义诊很及时', '希望常态化'] });
		// Link 2's value on the last criterion was 15 or 14, whichever of the ten concurrent posts won.
		const p2Last = p2!.means[3]!;
		expect([17, 17.5]).toContain(p2Last);
		expect(p2).toMatchObject({ projectItemId: P[1], count: 2, means: [22.5, 22.5, 22.5, p2Last], comments: ['操场开放后反响很好'] });
		expect(p3).toMatchObject({ projectItemId: P[2], count: 1, means: [10, 10, 10, 10], meanTotal: 40, comments: [] });
		expect(p1!.units.map((u) => u.id)).toEqual([fx.unitId]);
		expect(r.totals).toEqual({ scores: 5, links: 5, linksUsed: 3, memberScores: 1 });
		// Units: A (P1) 85, B (P2) 85 or 84.5, C 40.
		const rankOf = (id: string) => r.units.find((u) => u.unitId === id)!;
		expect(rankOf(fx.unitId)).toMatchObject({ average: 85, rank: 1, projectCount: 1, scoredCount: 1 });
		expect(rankOf(unitC)).toMatchObject({ average: 40, rank: 3 });
		expect(rankOf(unitB).rank).toBe(p2!.meanTotal === 85 ? 1 : 2);
		expect(JSON.parse(JSON.stringify(r))).toEqual(r);
	});

	it('criteria and projects are frozen once scored; title and window still change', async () => {
		const db = database.db;
		await expect(updateRound(db, as('convener'), roundId, input({ criteria: [{ label: '总体评价', max: 100 }] }))).rejects.toMatchObject({ key: 'evaluation.error.hasScores' });
		await expect(updateRound(db, as('convener'), roundId, input({ projectItemIds: [P[0]] }))).rejects.toMatchObject({ key: 'evaluation.error.hasScores' });
		await updateRound(db, as('recorder'), roundId, input({ title: '2026年度述职评议（正式）' }));
		expect((await evaluationResults(db, roundId))!.round.title).toBe('2026年度述职评议（正式）');
	});
});

describe('the evaluation report', () => {
	it('is refused while the round is open; once closed it is frozen into the record as 述职评议〔year〕第n号, again as the next version', async () => {
		const db = database.db;
		const roundId = (await createRound(db, as('convener'), fx.committeeId, input({ title: '报告用评议' }))).id;
		const [link] = await generateLinks(db, as('convener'), roundId, 1);
		await submitLinkScore(db, link!.token, '10.0.0.9', score(P[0], [20, 20, 20, 20], '<script>alert(1)</script>'));
		await expect(freezeEvaluationReport(db, as('convener'), roundId)).rejects.toMatchObject({ key: 'evaluation.error.reportWhileOpen' });
		await closeRound(db, as('convener'), roundId);
		await expect(freezeEvaluationReport(db, as('member'), roundId)).rejects.toMatchObject({ key: 'evaluation.error.notAllowed' });
		const v1 = await freezeEvaluationReport(db, as('convener'), roundId);
		expect(v1.label).toBe('述职评议〔2026〕第1号');
		const record = (await getRecord(db, v1.id))!;
		expect(record.kind).toBe('evaluation');
		const text = plainText(record.body.content);
		expect(text).toContain('年度共建项目述职评议结果报告');
		expect(text).toContain('80');
		expect(text).toContain('<script>alert(1)</script>');
		expect(await verifyRecord(db, v1.id)).toMatchObject({ valid: true });
		// The exports render it, the comment as text.
		const md = new TextDecoder().decode((await renderRecord(record, 'md')).bytes);
		expect(md).toContain('述职评议〔2026〕第1号');
		expect(md).not.toContain('<script');
		const v2 = await freezeEvaluationReport(db, as('recorder'), roundId);
		expect([v2.seq, v2.version]).toEqual([1, 2]);
		expect((await evaluationReports(db, roundId)).map((r) => r.version)).toEqual([2, 1]);
	});
});

describe('rate limiting of anonymous submissions', () => {
	let roundId: string;
	beforeAll(async () => {
		roundId = (await createRound(database.db, as('convener'), fx.committeeId, input({ title: '限流测试' }))).id;
	});

	it('refuses a link’s 21st submission in a minute, storing nothing, and takes it again a minute later', async () => {
		const db = database.db;
		const [link] = await generateLinks(db, as('convener'), roundId, 1);
		const now = new Date();
		await submitLinkScore(db, link!.token, '10.1.0.0', score(P[0], [1, 2, 3, 4]), now);
		// Each from another address, so that only the link's own limit applies.
		for (let i = 1; i < 20; i++) {
			await expect(submitLinkScore(db, link!.token, `10.1.0.${i}`, score(P[0], [1, 2, 3, 4]), now)).rejects.toMatchObject({ key: 'evaluation.error.alreadyScored' });
		}
		await expect(submitLinkScore(db, link!.token, '10.1.0.99', score(P[1], [5, 5, 5, 5]), now)).rejects.toMatchObject({ key: 'evaluation.error.tooMany' });
		expect((await scoresOf(roundId)).map((s) => s.projectItemId)).toEqual([P[0]]);
		await submitLinkScore(db, link!.token, '10.1.0.99', score(P[1], [5, 5, 5, 5]), new Date(now.getTime() + 61_000));
		expect(await scoresOf(roundId)).toHaveLength(2);
	});

	it('refuses an address’s 31st submission in a minute, forged tokens included, storing nothing', async () => {
		const db = database.db;
		const [link] = await generateLinks(db, as('convener'), roundId, 1);
		const now = new Date();
		for (let i = 0; i < 30; i++) {
			const forged = String.fromCharCode(97 + (i % 26)).repeat(26);
			await expect(submitLinkScore(db, forged, '10.2.0.1', score(P[0], [1, 1, 1, 1]), now)).rejects.toMatchObject({ key: 'evaluation.error.unknownLink' });
		}
		await expect(submitLinkScore(db, link!.token, '10.2.0.1', score(P[2], [9, 9, 9, 9]), now)).rejects.toMatchObject({ key: 'evaluation.error.tooMany' });
		expect((await scoresOf(roundId)).filter((s) => s.projectItemId === P[2])).toHaveLength(0);
		// Another address is not held back by this one.
		await submitLinkScore(db, link!.token, '10.2.0.2', score(P[2], [9, 9, 9, 9]), now);
		expect((await scoresOf(roundId)).filter((s) => s.projectItemId === P[2])).toHaveLength(1);
		const counters = await db.select().from(submissionThrottle).where(like(submissionThrottle.key, 'score:address:10.2.0.1'));
		expect(counters[0]?.hits).toBe(31);
	});
});

describe('members', () => {
	it('a part-time member scores other units’ projects, not their own', async () => {
		const db = database.db;
		const contactC = contacts[1]!;
		const { id } = await createRound(db, as('convener'), fx.committeeId, input({ title: '成员评分' }));
		await expect(submitMemberScore(db, contactC, id, score(P[2], [1, 1, 1, 1]))).rejects.toMatchObject({ key: 'evaluation.error.ownUnit' });
		await submitMemberScore(db, contactC, id, score(P[0], [1, 1, 1, 1]));
		expect(await scoresOf(id)).toHaveLength(1);
	});
});
