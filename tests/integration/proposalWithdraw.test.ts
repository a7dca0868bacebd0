import { eq } from 'drizzle-orm';
import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agendaDocName, readAgenda } from '../../src/lib/docs/agenda';
import { addNeed, addProposal, addResource, boardDocName, readNeeds, readProposals } from '../../src/lib/docs/board';
import { updateProposal, withdrawProposal } from '../../src/lib/docs/boardProposal';
import { translate } from '../../src/lib/i18n';
import { projectBoard } from '../../src/lib/server/board';
import { checkBoardUpdate } from '../../src/lib/server/boardRules';
import { meetings, projectItems, proposals } from '../../src/lib/server/db/schema';
import { editDocument, readDocument } from '../../src/lib/server/liveEdit';
import { transitionMeeting } from '../../src/lib/server/meetingLifecycle';
import type { PmJson } from '../../src/lib/server/minutes';
import { ProposalError, putProposalOnAgenda } from '../../src/lib/server/proposal';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createCommitteeFixture, type CommitteeFixture } from '../helpers/fixtures';
import { docOf, p, writeMinutes } from '../helpers/minutes';
import { storedDoc } from '../helpers/storage';

let database: TestDatabase;
let fx: CommitteeFixture;
let meetingId: string;
const YEAR = 2028;

beforeAll(async () => {
	database = await createTestDatabase();
	fx = await createCommitteeFixture(database.db);
	// The fixture's own meeting may lie ahead; the proposal must go onto this one.
	await database.db.update(meetings).set({ startsAt: new Date('2000-01-01T00:00:00Z') }).where(eq(meetings.id, fx.meetingId));
	const [m] = await database.db
		.insert(meetings)
		.values({ committeeId: fx.committeeId, title: '项目对接会', kind: 'special', startsAt: new Date(Date.now() + 2 * 86_400_000) })
		.returning();
	meetingId = m!.id;
});
afterAll(() => database?.destroy());

const actor = () => ({ id: fx.people.convener.id, isAdmin: false });
const board = () => boardDocName(fx.committeeId, YEAR);
const decisionFor = (proposalId: string): PmJson => ({
	type: 'decision',
	attrs: { id: 'bb000000-0000-4000-8000-00000000000b', units: fx.unitId, dueDate: '2028-06-30', proposalId },
	content: [p('同意实施楼道照明改造项目。')]
});

/** What the collaboration server's Projection does on its (debounced) store of the board. */
async function project() {
	const doc = await storedDoc(database.db, board());
	await projectBoard(database.db, { committeeId: fx.committeeId, year: YEAR }, doc);
	doc.destroy();
}

describe('withdrawing a proposal that is on an agenda', () => {
	let needId = '';
	let resourceId = '';
	let proposalId = '';

	it('is allowed: the proposal is withdrawn, its need open again, the agenda item stays', async () => {
		await editDocument(database.db, board(), (doc) => {
			needId = addNeed(doc, { title: '楼道照明', category: 'infrastructure', submittedBy: fx.people.member.id, submittedByName: '委员' });
			resourceId = addResource(doc, { unitId: fx.unitId, type: 'services', title: '电工班组', createdBy: fx.people.part_time.id });
			proposalId = addProposal(doc, { title: '楼道照明改造', needIds: [needId], resourceIds: [resourceId], unitIds: [fx.unitId], level: 'community', dueDate: '2028-06-30', createdBy: fx.people.convener.id });
		});
		await putProposalOnAgenda(database.db, { committeeId: fx.committeeId, year: YEAR, proposalId, actor: actor() });

		let result: ReturnType<typeof withdrawProposal> | null = null;
		await editDocument(database.db, board(), (doc) => {
			result = withdrawProposal(doc, proposalId);
		});
		expect(result).toEqual({ ok: true });
		await project();

		const after = await readDocument(database.db, board(), (doc) => ({ proposal: readProposals(doc)[0]!, need: readNeeds(doc)[0]! }));
		expect(after.proposal).toMatchObject({ status: 'withdrawn', meetingId });
		expect(after.need.status).toBe('open');
		const [row] = await database.db.select().from(proposals).where(eq(proposals.id, proposalId));
		expect(row!.status).toBe('withdrawn');
		const agenda = await readDocument(database.db, agendaDocName(meetingId), readAgenda);
		expect(agenda.filter((i) => i.proposalId === proposalId)).toHaveLength(1);
		// Minutes laid out now give that item a section but no ready decision linked to it.
		const { skeletonForMeeting } = await import('../../src/lib/server/minutesTemplate');
		const { extractDecisions } = await import('../../src/lib/server/decision');
		expect(extractDecisions(await skeletonForMeeting(database.db, meetingId)).decisions.filter((d) => d.proposalId === proposalId)).toEqual([]);

		// Closed for good: no editing, no second withdrawal, no scheduling.
		await editDocument(database.db, board(), (doc) => {
			expect(updateProposal(doc, proposalId, { title: '改名' })).toEqual({ ok: false, reason: 'closed', status: 'withdrawn' });
		});
		await expect(putProposalOnAgenda(database.db, { committeeId: fx.committeeId, year: YEAR, proposalId, actor: actor() })).rejects.toEqual(new ProposalError('proposal.closed'));
	});

	it('a decision still linking it blocks finalization, naming the decision', async () => {
		await writeMinutes(database.db, meetingId, docOf(p('会议研究了楼道照明改造。'), decisionFor(proposalId)));
		for (const t of ['start', 'review'] as const) await transitionMeeting(database.db, { meetingId, transition: t, actor: actor() });
		const refused = transitionMeeting(database.db, { meetingId, transition: 'finalize', actor: actor(), override: '测试：跳过确认' });
		await expect(refused).rejects.toMatchObject({
			key: 'lifecycle.decisionsInvalid',
			problems: [{ key: 'decision.proposalWithdrawn', position: 1, blockId: 'bb000000-0000-4000-8000-00000000000b', excerpt: '同意实施楼道照明改造项目。' }]
		});
		const [m] = await database.db.select().from(meetings).where(eq(meetings.id, meetingId));
		expect(m!.state).toBe('review');
		expect(await database.db.select().from(projectItems).where(eq(projectItems.sourceMeetingId, meetingId))).toEqual([]);
		// The message people read names the block and says what to do.
		const message = translate('zh-CN', 'decision.proposalWithdrawn', { position: 1, excerpt: '同意实施楼道照明改造项目。' });
		expect(message).toContain('决议 1「同意实施楼道照明改造项目。」');
		expect(message).toContain('已撤回');
	});

	it('once the decision is unlinked the minutes finalize and the proposal stays withdrawn', async () => {
		const unlinked = decisionFor('');
		await writeMinutes(database.db, meetingId, docOf(p('会议研究了楼道照明改造。'), unlinked));
		await transitionMeeting(database.db, { meetingId, transition: 'finalize', actor: actor(), override: '测试：跳过确认' });
		const after = await readDocument(database.db, board(), (doc) => ({ proposal: readProposals(doc)[0]!, need: readNeeds(doc)[0]! }));
		expect(after.proposal.status).toBe('withdrawn');
		expect(after.need.status).toBe('open');
	});
});

describe('the collaboration server’s board rules', () => {
	it('accept a part-time member editing and withdrawing a proposal of their own unit’s resources', async () => {
		const doc = new Y.Doc();
		const needId = addNeed(doc, { title: '助老', submittedBy: 'x', submittedByName: 'x' });
		const resourceId = addResource(doc, { unitId: fx.unitId, title: '志愿者', createdBy: 'x' });
		const id = addProposal(doc, { title: '助老', needIds: [needId], resourceIds: [resourceId], unitIds: [fx.unitId], level: 'community', dueDate: '2028-06-30', createdBy: 'x' });
		const who = { role: 'part_time' as const, unitId: fx.unitId };
		const change = (run: (copy: Y.Doc) => void) => {
			const copy = new Y.Doc();
			Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
			const before = Y.encodeStateVector(copy);
			run(copy);
			return Y.encodeStateAsUpdate(copy, before);
		};
		expect(checkBoardUpdate(doc, change((copy) => updateProposal(copy, id, { title: '助老送餐', needIds: [] })), who)).toEqual({ ok: true });
		expect(checkBoardUpdate(doc, change((copy) => withdrawProposal(copy, id)), who)).toEqual({ ok: true });
	});
});
