import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addNeed, addResource, boardDocName, needsMap, readNeeds, readResources, setCardText } from '../../src/lib/docs/board';
import { restoreBoardVersion } from '../../src/lib/server/boardVersion';
import { auditLog } from '../../src/lib/server/db/schema';
import { captureVersion, listVersions } from '../../src/lib/server/docVersion';
import { editDocument, readDocument } from '../../src/lib/server/liveEdit';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createCommitteeFixture, type CommitteeFixture } from '../helpers/fixtures';

let database: TestDatabase;
let fx: CommitteeFixture;
const YEAR = 2029;

beforeAll(async () => {
	database = await createTestDatabase();
	fx = await createCommitteeFixture(database.db);
});
afterAll(() => database?.destroy());

const name = () => boardDocName(fx.committeeId, YEAR);
const cards = () => readDocument(database.db, name(), (doc) => ({ needs: readNeeds(doc), resources: readResources(doc) }));

describe('restoring a board to an earlier version', () => {
	it('brings cards back as they were and archives cards added since, as a new edit between two versions', async () => {
		let needId = '';
		await editDocument(database.db, name(), (doc) => {
			needId = addNeed(doc, { title: '加装电梯', description: '三栋楼', submittedBy: fx.people.member.id, submittedByName: '委员' });
			addResource(doc, { unitId: fx.unitId, title: '义诊', createdBy: fx.people.part_time.id });
		});
		const saved = await captureVersion(database.db, name(), { reason: 'manual', label: '年初', createdBy: fx.people.convener.id });
		expect(saved.created).toBe(true);

		await editDocument(database.db, name(), (doc) => {
			const card = needsMap(doc).get(needId)!;
			setCardText(card, 'title', '加装电梯（已改）');
			addNeed(doc, { title: '后来加的需求', submittedBy: fx.people.member.id, submittedByName: '委员' });
		});

		// Only the convener and recorder restore.
		await expect(restoreBoardVersion(database.db, { committeeId: fx.committeeId, year: YEAR, versionId: saved.id, actor: { id: fx.people.part_time.id, isAdmin: false } })).rejects.toMatchObject({ key: 'version.notAllowed' });
		await expect(restoreBoardVersion(database.db, { committeeId: fx.committeeId, year: YEAR, versionId: 999_999, actor: { id: fx.people.convener.id, isAdmin: false } })).rejects.toMatchObject({ key: 'version.notFound' });

		const before = (await listVersions(database.db, name())).length;
		const restored = await restoreBoardVersion(database.db, { committeeId: fx.committeeId, year: YEAR, versionId: saved.id, actor: { id: fx.people.convener.id, isAdmin: false } });
		const after = await cards();
		expect(after.needs.map((n) => [n.title, n.archived])).toEqual([
			['加装电梯', false],
			['后来加的需求', true]
		]);
		expect(after.resources.map((r) => r.title)).toEqual(['义诊']);
		// A version of the state before, and the restored one; nothing rewritten.
		const versions = await listVersions(database.db, name());
		expect(versions.length).toBe(before + 2);
		expect(versions.find((v) => v.id === restored.id)?.reason).toBe('restore');
		const audit = await database.db.select().from(auditLog).where(eq(auditLog.action, 'version.restore'));
		expect(audit.some((a) => (a.details as { restored?: number }).restored === saved.id)).toBe(true);
	});
});
