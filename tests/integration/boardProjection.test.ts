import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addNeed, addResource, needsMap, setCardText, setCardValue } from '../../src/lib/docs/board';
import { boardRows, projectBoard } from '../../src/lib/server/board';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createCommitteeFixture, type CommitteeFixture } from '../helpers/fixtures';

let database: TestDatabase;
let fx: CommitteeFixture;
beforeAll(async () => {
	database = await createTestDatabase();
	fx = await createCommitteeFixture(database.db);
});
afterAll(() => database?.destroy());

const strip = (rows: Awaited<ReturnType<typeof boardRows>>) => ({
	needs: rows.needs.map(({ updatedAt: _u, deletedAt, ...rest }) => ({ ...rest, deleted: deletedAt !== null })),
	resources: rows.resources.map(({ updatedAt: _u, deletedAt, ...rest }) => ({ ...rest, deleted: deletedAt !== null }))
});

describe('board projection', () => {
	it('is idempotent, follows edits, marks deleted cards and revives them', async () => {
		const board = { committeeId: fx.committeeId, year: 2027 };
		const doc = new Y.Doc();
		const need = addNeed(doc, { title: '社区食堂', description: '老年人吃饭难', category: 'care', submittedBy: fx.people.member.id, submittedByName: '委员' });
		const need2 = addNeed(doc, { title: '路灯维修', category: 'infrastructure', submittedBy: 'not-a-user', submittedByName: '?' });
		const res = addResource(doc, { unitId: fx.unitId, type: 'funds', title: '帮扶资金', quantity: '50,000 元', createdBy: fx.people.part_time.id });
		addResource(doc, { unitId: 'not-a-unit', title: '来历不明', createdBy: 'x' });

		await projectBoard(database.db, board, doc);
		const first = strip(await boardRows(database.db, board));
		await projectBoard(database.db, board, doc);
		expect(strip(await boardRows(database.db, board))).toEqual(first);
		expect(first.needs).toHaveLength(2);
		expect(first.needs.find((n) => n.id === need)).toMatchObject({ title: '社区食堂', category: 'care', status: 'open', submittedBy: fx.people.member.id, deleted: false });
		// References that do not resolve are projected as empty rather than refused.
		expect(first.needs.find((n) => n.id === need2)!.submittedBy).toBeNull();
		expect(first.resources.find((r) => r.id === res)).toMatchObject({ unitId: fx.unitId, type: 'funds', quantity: '50,000 元' });
		expect(first.resources.filter((r) => r.unitId === null)).toHaveLength(1);

		setCardText(needsMap(doc).get(need)!, 'title', '社区长者食堂');
		setCardValue(needsMap(doc).get(need)!, 'archived', true);
		needsMap(doc).delete(need2);
		await projectBoard(database.db, board, doc);
		const second = strip(await boardRows(database.db, board));
		expect(second.needs.find((n) => n.id === need)).toMatchObject({ title: '社区长者食堂', archived: true, deleted: false });
		expect(second.needs.find((n) => n.id === need2)).toMatchObject({ deleted: true, title: '路灯维修' });

		// Undo brings the card back: it is no longer deleted.
		const restored = new Y.Map<unknown>();
		restored.set('title', new Y.Text('路灯维修'));
		needsMap(doc).set(need2, restored);
		await projectBoard(database.db, board, doc);
		expect(strip(await boardRows(database.db, board)).needs.find((n) => n.id === need2)!.deleted).toBe(false);

		// Another year's board is untouched by this one.
		await projectBoard(database.db, { committeeId: fx.committeeId, year: 2028 }, new Y.Doc());
		expect(strip(await boardRows(database.db, board)).resources.filter((r) => !r.deleted)).toHaveLength(2);
	});
});
