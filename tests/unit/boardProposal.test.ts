import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { addNeed, addProposal, addResource, proposalsMap, readNeeds, readProposals, type NewProposal } from '../../src/lib/docs/board';
import { isProposalDate, proposalProblems, updateProposal, withdrawProposal } from '../../src/lib/docs/boardProposal';

function board() {
	const doc = new Y.Doc();
	const needs = ['长者助餐', '楼道照明', '儿童托管'].map((title) => addNeed(doc, { title, submittedBy: 'u1', submittedByName: '委员' }));
	const resources = ['志愿服务队', '电工班组'].map((title) => addResource(doc, { unitId: 'unit-a', title, createdBy: 'u2' }));
	const propose = (init: Partial<NewProposal> = {}) =>
		addProposal(doc, { title: '长者助餐项目', needIds: [needs[0]!], resourceIds: [resources[0]!], unitIds: ['unit-a'], level: 'community', dueDate: '2027-12-31', createdBy: 'u1', ...init });
	const needStatus = (id: string) => readNeeds(doc).find((n) => n.id === id)!.status;
	const proposal = (id: string) => readProposals(doc).find((p) => p.id === id)!;
	const setStatus = (id: string, status: string) => proposalsMap(doc).get(id)!.set('status', status);
	return { doc, needs, resources, propose, needStatus, proposal, setStatus };
}

describe('updating a proposal', () => {
	it('changes the fields it names and leaves the others', () => {
		const b = board();
		const id = b.propose();
		expect(updateProposal(b.doc, id, { title: '  长者助餐送餐项目 ', resourceIds: [b.resources[0]!, b.resources[1]!], level: 'street', dueDate: '2027-10-01' })).toEqual({ ok: true });
		expect(b.proposal(id)).toMatchObject({
			title: '长者助餐送餐项目',
			resourceIds: [b.resources[0], b.resources[1]],
			unitIds: ['unit-a'],
			level: 'street',
			dueDate: '2027-10-01',
			status: 'proposed'
		});
	});

	it('diffs the title into its Y.Text, so someone else’s concurrent typing survives', () => {
		const b = board();
		const id = b.propose({ title: '助餐项目' });
		const other = new Y.Doc();
		Y.applyUpdate(other, Y.encodeStateAsUpdate(b.doc));
		// Someone else appends to the title while this person prefixes it.
		(proposalsMap(other).get(id)!.get('title') as Y.Text).insert(4, '（一期）');
		expect(updateProposal(b.doc, id, { title: '长者助餐项目' })).toEqual({ ok: true });
		Y.applyUpdate(b.doc, Y.encodeStateAsUpdate(other));
		expect(b.proposal(id).title).toBe('长者助餐项目（一期）');
	});

	it('marks needs it newly addresses as matched and releases needs it no longer addresses', () => {
		const b = board();
		const id = b.propose({ needIds: [b.needs[0]!, b.needs[1]!] });
		expect(b.needStatus(b.needs[0]!)).toBe('matched');
		expect(b.needStatus(b.needs[1]!)).toBe('matched');
		expect(b.needStatus(b.needs[2]!)).toBe('open');
		expect(updateProposal(b.doc, id, { needIds: [b.needs[1]!, b.needs[2]!] })).toEqual({ ok: true });
		expect(b.proposal(id).needIds).toEqual([b.needs[1], b.needs[2]]);
		expect(b.needStatus(b.needs[0]!)).toBe('open');
		expect(b.needStatus(b.needs[1]!)).toBe('matched');
		expect(b.needStatus(b.needs[2]!)).toBe('matched');
	});

	it('keeps a removed need matched while another active proposal holds it', () => {
		const b = board();
		const first = b.propose();
		b.propose({ title: '第二个提案' });
		updateProposal(b.doc, first, { needIds: [b.needs[1]!] });
		expect(b.needStatus(b.needs[0]!)).toBe('matched');
	});

	it('leaves a need that moved on (in a project) alone', () => {
		const b = board();
		const id = b.propose();
		(b.doc.getMap('needs').get(b.needs[0]!) as Y.Map<unknown>).set('status', 'in_project');
		updateProposal(b.doc, id, { needIds: [] });
		expect(b.needStatus(b.needs[0]!)).toBe('in_project');
	});

	it('is allowed on the agenda, refused once approved or withdrawn, and says why', () => {
		const b = board();
		const id = b.propose();
		b.setStatus(id, 'on_agenda');
		expect(updateProposal(b.doc, id, { title: '改名' })).toEqual({ ok: true });
		b.setStatus(id, 'approved');
		expect(updateProposal(b.doc, id, { title: '再改名' })).toEqual({ ok: false, reason: 'closed', status: 'approved' });
		b.setStatus(id, 'withdrawn');
		expect(updateProposal(b.doc, id, { title: '再改名' })).toEqual({ ok: false, reason: 'closed', status: 'withdrawn' });
		expect(b.proposal(id).title).toBe('改名');
		expect(updateProposal(b.doc, 'no-such-id', { title: 'x' })).toEqual({ ok: false, reason: 'notFound' });
	});

	it('refuses invalid fields with the same rules as proposing, changing nothing', () => {
		const b = board();
		const id = b.propose();
		const before = b.proposal(id);
		expect(updateProposal(b.doc, id, { title: '  ', resourceIds: [], unitIds: [], dueDate: '2027-02-30', needIds: [] })).toEqual({
			ok: false,
			reason: 'invalid',
			problems: ['title', 'resources', 'units', 'dueDate']
		});
		expect(b.proposal(id)).toEqual(before);
		expect(b.needStatus(b.needs[0]!)).toBe('matched');
	});

	it('writes nothing when nothing changes', () => {
		const b = board();
		const id = b.propose();
		let updates = 0;
		b.doc.on('update', () => updates++);
		const p = b.proposal(id);
		updateProposal(b.doc, id, { title: p.title, needIds: p.needIds, resourceIds: p.resourceIds, unitIds: p.unitIds, level: p.level, dueDate: p.dueDate });
		expect(updates).toBe(0);
	});
});

describe('withdrawing a proposal', () => {
	it('marks it withdrawn and returns its needs to open', () => {
		const b = board();
		const id = b.propose({ needIds: [b.needs[0]!, b.needs[1]!] });
		expect(withdrawProposal(b.doc, id)).toEqual({ ok: true });
		expect(b.proposal(id).status).toBe('withdrawn');
		expect(b.needStatus(b.needs[0]!)).toBe('open');
		expect(b.needStatus(b.needs[1]!)).toBe('open');
	});

	it('keeps a need matched that another active proposal (even an approved one) holds', () => {
		const b = board();
		const approved = b.propose({ title: '已通过的提案' });
		b.setStatus(approved, 'approved');
		const withdrawn = b.propose({ needIds: [b.needs[0]!, b.needs[1]!] });
		withdrawProposal(b.doc, withdrawn);
		expect(b.needStatus(b.needs[0]!)).toBe('matched');
		expect(b.needStatus(b.needs[1]!)).toBe('open');
	});

	it('is allowed while on the agenda (the meeting has not approved it), keeping its meeting', () => {
		const b = board();
		const id = b.propose();
		b.setStatus(id, 'on_agenda');
		proposalsMap(b.doc).get(id)!.set('meetingId', 'meeting-1');
		expect(withdrawProposal(b.doc, id)).toEqual({ ok: true });
		expect(b.proposal(id)).toMatchObject({ status: 'withdrawn', meetingId: 'meeting-1' });
	});

	it('is refused for approved and already withdrawn proposals', () => {
		const b = board();
		const id = b.propose();
		b.setStatus(id, 'approved');
		expect(withdrawProposal(b.doc, id)).toEqual({ ok: false, reason: 'closed', status: 'approved' });
		expect(b.needStatus(b.needs[0]!)).toBe('matched');
		b.setStatus(id, 'withdrawn');
		expect(withdrawProposal(b.doc, id)).toEqual({ ok: false, reason: 'closed', status: 'withdrawn' });
		expect(withdrawProposal(b.doc, 'no-such-id')).toEqual({ ok: false, reason: 'notFound' });
	});
});

describe('proposal field rules', () => {
	it('accept real calendar days only', () => {
		expect(isProposalDate('2027-12-31')).toBe(true);
		expect(isProposalDate('2028-02-29')).toBe(true);
		expect(isProposalDate('2027-02-29')).toBe(false);
		expect(isProposalDate('2027-1-1')).toBe(false);
		expect(isProposalDate('')).toBe(false);
	});

	it('check only the fields given', () => {
		expect(proposalProblems({})).toEqual([]);
		expect(proposalProblems({ title: 'x', resourceIds: ['r'], unitIds: ['u'], dueDate: '2027-01-01', level: 'district' })).toEqual([]);
		expect(proposalProblems({ unitIds: [] })).toEqual(['units']);
	});
});
