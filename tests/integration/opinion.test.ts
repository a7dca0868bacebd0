import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAgendaItem, agendaDocName } from '../../src/lib/docs/agenda';
import { editDocument } from '../../src/lib/server/liveEdit';
import { addOpinion, deleteOpinion, editOpinion, opinionsOfMeeting, OPINION_MAX } from '../../src/lib/server/opinion';
import { transitionMeeting } from '../../src/lib/server/meetingLifecycle';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createCommitteeFixture, type CommitteeFixture } from '../helpers/fixtures';
import { docOf, h, writeMinutes } from '../helpers/minutes';

let database: TestDatabase;
let fx: CommitteeFixture;
let item1 = '';
let item2 = '';

beforeAll(async () => {
	database = await createTestDatabase();
	fx = await createCommitteeFixture(database.db);
	await editDocument(database.db, agendaDocName(fx.meetingId), (doc) => {
		item1 = addAgendaItem(doc, { title: '老旧小区加装电梯' });
		item2 = addAgendaItem(doc, { title: '义诊进社区' });
	});
});
afterAll(() => database?.destroy());

const db = () => database.db;
const as = (role: 'convener' | 'member' | 'part_time' | 'observer' | 'outsider') => ({ id: fx.people[role].id });

describe('written opinions', () => {
	it('a part-time member writes in the unit name, a member in their own; listed per item with names', async () => {
		const a = await addOpinion(db(), as('part_time'), fx.meetingId, { agendaItemId: item1, body: '  同意，建议优先安排三号楼。 ', inUnitName: true });
		await addOpinion(db(), as('member'), fx.meetingId, { agendaItemId: item1, body: '同意。' });
		await addOpinion(db(), as('part_time'), fx.meetingId, { agendaItemId: item2, body: '医院可派两名医生。' });
		const grouped = await opinionsOfMeeting(db(), fx.meetingId);
		expect(Object.keys(grouped).sort()).toEqual([item1, item2].sort());
		expect(grouped[item1]!.map((o) => [o.id === a, o.body, o.unitName !== null, o.authorName])).toEqual([
			[true, '同意，建议优先安排三号楼。', true, expect.stringContaining('part_time')],
			[false, '同意。', false, expect.stringContaining('member')]
		]);
		expect(grouped[item2]![0]!.unitId).toBeNull();
	});

	it('validates the body, the agenda item and the unit', async () => {
		await expect(addOpinion(db(), as('member'), fx.meetingId, { agendaItemId: item1, body: '   ' })).rejects.toMatchObject({ key: 'opinion.bodyRequired' });
		await expect(addOpinion(db(), as('member'), fx.meetingId, { agendaItemId: item1, body: 'x'.repeat(OPINION_MAX + 1) })).rejects.toMatchObject({ key: 'opinion.bodyTooLong' });
		await expect(addOpinion(db(), as('member'), fx.meetingId, { agendaItemId: 'no-such-item', body: '同意' })).rejects.toMatchObject({ key: 'opinion.unknownItem' });
		await expect(addOpinion(db(), as('member'), fx.meetingId, { agendaItemId: item1, body: '同意', inUnitName: true })).rejects.toMatchObject({ key: 'opinion.noUnit' });
		await expect(addOpinion(db(), as('observer'), fx.meetingId, { agendaItemId: item1, body: '同意' })).rejects.toMatchObject({ key: 'opinion.notAllowed' });
		await expect(addOpinion(db(), as('outsider'), fx.meetingId, { agendaItemId: item1, body: '同意' })).rejects.toMatchObject({ key: 'opinion.notAllowed' });
		await expect(addOpinion(db(), as('member'), '00000000-0000-4000-8000-000000000000', { agendaItemId: item1, body: '同意' })).rejects.toMatchObject({ key: 'opinion.notFound' });
	});

	it('only the author edits or deletes an opinion', async () => {
		const [mine] = (await opinionsOfMeeting(db(), fx.meetingId))[item2]!;
		await expect(editOpinion(db(), as('member'), mine!.id, { body: '改写' })).rejects.toMatchObject({ key: 'opinion.notAllowed' });
		await expect(deleteOpinion(db(), as('convener'), mine!.id)).rejects.toMatchObject({ key: 'opinion.notAllowed' });
		await expect(editOpinion(db(), as('part_time'), mine!.id, { body: '' })).rejects.toMatchObject({ key: 'opinion.bodyRequired' });
		await editOpinion(db(), as('part_time'), mine!.id, { body: '医院可派三名医生。' });
		expect((await opinionsOfMeeting(db(), fx.meetingId))[item2]![0]!.body).toBe('医院可派三名医生。');
		const extra = await addOpinion(db(), as('member'), fx.meetingId, { agendaItemId: item2, body: '临时意见' });
		await deleteOpinion(db(), as('member'), extra);
		expect((await opinionsOfMeeting(db(), fx.meetingId))[item2]).toHaveLength(1);
	});

	it('a finalized meeting takes no more opinions and keeps the ones it has', async () => {
		await writeMinutes(db(), fx.meetingId, docOf(h(1, '纪要')));
		const actor = { id: fx.people.convener.id, isAdmin: false };
		for (const t of ['start', 'review'] as const) await transitionMeeting(db(), { meetingId: fx.meetingId, transition: t, actor });
		await transitionMeeting(db(), { meetingId: fx.meetingId, transition: 'finalize', actor, override: '测试：跳过确认' });
		await expect(addOpinion(db(), as('member'), fx.meetingId, { agendaItemId: item1, body: '迟到的意见' })).rejects.toMatchObject({ key: 'opinion.finalized' });
		const [first] = (await opinionsOfMeeting(db(), fx.meetingId))[item1]!;
		await expect(editOpinion(db(), as('part_time'), first!.id, { body: '改' })).rejects.toMatchObject({ key: 'opinion.finalized' });
		await expect(deleteOpinion(db(), as('part_time'), first!.id)).rejects.toMatchObject({ key: 'opinion.finalized' });
		expect((await opinionsOfMeeting(db(), fx.meetingId))[item1]).toHaveLength(2);
	});
});
