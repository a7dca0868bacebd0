import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agendaDocName, readAgenda } from '../../src/lib/docs/agenda';
import { addNeed, addProposal, addResource, boardDocName, readNeeds, readProposals, readResources, suggestResources } from '../../src/lib/docs/board';
import { meetings, projectItems, projectItemSources } from '../../src/lib/server/db/schema';
import { editDocument, readDocument } from '../../src/lib/server/liveEdit';
import { transitionMeeting } from '../../src/lib/server/meetingLifecycle';
import { ProposalError, putProposalOnAgenda } from '../../src/lib/server/proposal';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createCommitteeFixture, type CommitteeFixture } from '../helpers/fixtures';
import { docOf, p, writeMinutes } from '../helpers/minutes';
import { storedDoc } from '../helpers/storage';
import type { PmJson } from '../../src/lib/server/minutes';

let database: TestDatabase;
let fx: CommitteeFixture;
let meetingId: string;
const YEAR = 2027;

beforeAll(async () => {
	database = await createTestDatabase();
	fx = await createCommitteeFixture(database.db);
	// The fixture's own meeting may lie in the past; this one is always ahead.
	await database.db.update(meetings).set({ startsAt: new Date('2000-01-01T00:00:00Z') }).where(eq(meetings.id, fx.meetingId));
	const [m] = await database.db
		.insert(meetings)
		.values({ committeeId: fx.committeeId, title: '项目对接会', kind: 'special', startsAt: new Date(Date.now() + 2 * 86_400_000) })
		.returning();
	meetingId = m!.id;
});
afterAll(() => database?.destroy());

const actor = () => ({ id: fx.people.convener.id, isAdmin: false });
const decisionFor = (proposalId: string): PmJson => ({
	type: 'decision',
	attrs: { id: 'aa000000-0000-4000-8000-00000000000a', units: fx.unitId, dueDate: '2027-06-30', proposalId },
	content: [p('同意由测试医院为长者食堂提供每周两次健康讲座。')]
});

describe('from a matched need to a tracked project', () => {
	let needId = '';
	let resourceId = '';
	let proposalId = '';

	it('suggests resources for a need by text similarity (a hint)', async () => {
		await editDocument(database.db, boardDocName(fx.committeeId, YEAR), (doc) => {
			needId = addNeed(doc, { title: '长者食堂健康讲座', description: '老年人希望了解慢病饮食知识', category: 'care', submittedBy: fx.people.member.id, submittedByName: '委员' });
			resourceId = addResource(doc, { unitId: fx.unitId, type: 'expertise', title: '健康讲座', description: '医生每周开展慢病饮食讲座', createdBy: fx.people.part_time.id });
			addResource(doc, { unitId: fx.unitId, type: 'venue', title: '篮球场', description: '周末开放', createdBy: fx.people.part_time.id });
		});
		const { need, resources } = await readDocument(database.db, boardDocName(fx.committeeId, YEAR), (doc) => ({ need: readNeeds(doc)[0]!, resources: readResources(doc) }));
		const ranked = suggestResources(need, resources);
		expect(ranked[0]!.resource.id).toBe(resourceId);
		expect(ranked.some((r) => r.resource.title === '篮球场')).toBe(false);
	});

	it('a proposal goes onto the next meeting’s agenda in one action, once', async () => {
		await editDocument(database.db, boardDocName(fx.committeeId, YEAR), (doc) => {
			proposalId = addProposal(doc, { title: '长者食堂健康讲座', needIds: [needId], resourceIds: [resourceId], unitIds: [fx.unitId], level: 'community', dueDate: '2027-06-30', createdBy: fx.people.convener.id });
		});
		expect(await readDocument(database.db, boardDocName(fx.committeeId, YEAR), (doc) => readNeeds(doc)[0]!.status)).toBe('matched');
		await expect(putProposalOnAgenda(database.db, { committeeId: fx.committeeId, year: YEAR, proposalId, actor: { id: fx.people.member.id, isAdmin: false } })).rejects.toBeInstanceOf(ProposalError);
		const placed = await putProposalOnAgenda(database.db, { committeeId: fx.committeeId, year: YEAR, proposalId, actor: actor() });
		expect(placed.meetingId).toBe(meetingId);
		const agenda = await readDocument(database.db, agendaDocName(meetingId), readAgenda);
		expect(agenda.filter((i) => i.proposalId === proposalId)).toHaveLength(1);
		expect(agenda[0]!.title).toBe('长者食堂健康讲座');
		await expect(putProposalOnAgenda(database.db, { committeeId: fx.committeeId, year: YEAR, proposalId, actor: actor() })).rejects.toMatchObject({ key: 'proposal.alreadyScheduled' });
		const proposal = await readDocument(database.db, boardDocName(fx.committeeId, YEAR), (doc) => readProposals(doc)[0]!);
		expect(proposal).toMatchObject({ status: 'on_agenda', meetingId });
	});

	it('a decision linked to the proposal, finalized, yields exactly one tracked item linked to the need and resource, statuses updated', async () => {
		await writeMinutes(database.db, meetingId, docOf(p('会议研究了长者食堂项目。'), decisionFor(proposalId)));
		for (const t of ['start', 'review', 'finalize'] as const) await transitionMeeting(database.db, { meetingId, transition: t, actor: actor(), override: '测试：跳过确认' });
		const items = await database.db.select().from(projectItems).where(eq(projectItems.sourceMeetingId, meetingId));
		expect(items).toHaveLength(1);
		expect(items[0]).toMatchObject({ proposalId, level: 'community', status: 'not_started', dueDate: '2027-06-30' });
		const sources = await database.db.select().from(projectItemSources).where(eq(projectItemSources.projectItemId, items[0]!.id));
		expect(sources.map((s) => [s.kind, s.cardId]).sort()).toEqual([
			['need', needId],
			['resource', resourceId]
		]);
		const board = await readDocument(database.db, boardDocName(fx.committeeId, YEAR), (doc) => ({ needs: readNeeds(doc), resources: readResources(doc), proposals: readProposals(doc) }));
		expect(board.needs.find((n) => n.id === needId)!.status).toBe('in_project');
		expect(board.resources.find((r) => r.id === resourceId)!.status).toBe('committed');
		expect(board.proposals[0]).toMatchObject({ status: 'approved', projectItemId: items[0]!.id });

		// Reopen and finalize again: still one item for the proposal.
		await transitionMeeting(database.db, { meetingId, transition: 'reopen', actor: actor(), reason: '文字修改' });
		await transitionMeeting(database.db, { meetingId, transition: 'finalize', actor: actor(), override: '测试：跳过确认' });
		expect(await database.db.select().from(projectItems).where(eq(projectItems.proposalId, proposalId))).toHaveLength(1);
	});

	it('a decision linking an unknown proposal blocks finalization', async () => {
		const [m] = await database.db.insert(meetings).values({ committeeId: fx.committeeId, title: '另一次会议', kind: 'regular', startsAt: new Date(), state: 'review' }).returning();
		await writeMinutes(database.db, m!.id, docOf(decisionFor('00000000-0000-4000-8000-0000000000ff')));
		await expect(transitionMeeting(database.db, { meetingId: m!.id, transition: 'finalize', actor: actor(), override: '测试：跳过确认' })).rejects.toMatchObject({
			key: 'lifecycle.decisionsInvalid',
			problems: [expect.objectContaining({ key: 'decision.unknownProposal', position: 1 })]
		});
	});
});

describe('minutes laid out from an agenda that carries a proposal', () => {
	it('get a decision block linked to the proposal, with its units and due date', async () => {
		const { skeletonForMeeting } = await import('../../src/lib/server/minutesTemplate');
		const { extractDecisions } = await import('../../src/lib/server/decision');
		const [m] = await database.db.insert(meetings).values({ committeeId: fx.committeeId, title: '第二次对接会', kind: 'regular', startsAt: new Date(Date.now() + 5 * 86_400_000) }).returning();
		let proposalId = '';
		await editDocument(database.db, boardDocName(fx.committeeId, YEAR), (doc) => {
			proposalId = addProposal(doc, { title: '楼道照明改造', needIds: [], resourceIds: [], unitIds: [fx.unitId], level: 'community', dueDate: '2027-09-30', createdBy: fx.people.convener.id });
		});
		await putProposalOnAgenda(database.db, { committeeId: fx.committeeId, year: YEAR, proposalId, actor: actor() });
		const skeleton = await skeletonForMeeting(database.db, m!.id);
		const { decisions, problems } = extractDecisions(skeleton);
		expect(problems).toEqual([]);
		expect(decisions).toHaveLength(1);
		expect(decisions[0]).toMatchObject({ proposalId, unitIds: [fx.unitId], dueDate: '2027-09-30' });
		expect(decisions[0]!.text).toContain('楼道照明改造');
	});
});

describe('the board summary and the project list', () => {
	it('count needs and resources from the projection and list the year’s tracked items', async () => {
		const { projectBoard, boardSummary } = await import('../../src/lib/server/board');
		const { projectItemsOfYear } = await import('../../src/lib/server/projectItem');
		const doc = await storedDoc(database.db, boardDocName(fx.committeeId, YEAR));
		await projectBoard(database.db, { committeeId: fx.committeeId, year: YEAR }, doc);
		const summary = await boardSummary(database.db, { committeeId: fx.committeeId, year: YEAR });
		expect(summary).toMatchObject({ needs: 1, needsByCategory: { care: 1 }, needsByStatus: { in_project: 1 }, matchedShare: 1, resources: 2, resourcesByType: { expertise: 1, venue: 1 } });
		expect(summary.committedByUnit).toEqual([{ unitId: fx.unitId, unitName: expect.any(String), count: 1 }]);
		const list = await projectItemsOfYear(database.db, fx.committeeId, YEAR);
		expect(list.map((i) => i.title)).toContain('同意由测试医院为长者食堂提供每周两次健康讲座。');
		expect(await projectItemsOfYear(database.db, fx.committeeId, 2031)).toEqual([]);
	});
});
