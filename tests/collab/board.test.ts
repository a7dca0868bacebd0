import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addNeed, addResource, boardDocName, cardText, needsMap, readNeeds, readResources, resourcesMap, setCardValue } from '../../src/lib/docs/board';
import { units } from '../../src/lib/server/db/schema';
import { startCollabServer } from '../helpers/collabServer';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createCommitteeFixture, type CommitteeFixture } from '../helpers/fixtures';
import { connect, waitAcked, waitFor, waitSynced, type TestClient } from '../helpers/provider';
import { storedDoc } from '../helpers/storage';

let database: TestDatabase;
let server: Awaited<ReturnType<typeof startCollabServer>>;
let fx: CommitteeFixture;
let otherUnitId: string;
let name: string;
const clients: TestClient[] = [];

beforeAll(async () => {
	database = await createTestDatabase();
	fx = await createCommitteeFixture(database.db);
	const [district] = await database.db.select({ districtId: units.districtId }).from(units).limit(1);
	const [other] = await database.db.insert(units).values({ districtId: district!.districtId, name: `另一所学校${Date.now()}`, kind: 'school' }).returning();
	otherUnitId = other!.id;
	name = boardDocName(fx.committeeId, 2027);
	server = await startCollabServer(database);
});
afterAll(async () => {
	for (const c of clients) c.destroy();
	await server?.stop();
	await database?.destroy();
});

function client(token: string): TestClient {
	const c = connect(server.url, name, token);
	clients.push(c);
	return c;
}

const stored = () => storedDoc(database.db, name);

describe('needs and resources boards over real providers', () => {
	it('two clients editing the same card description at once keep both edits', async () => {
		const a = client(fx.people.convener.token);
		const b = client(fx.people.member.token);
		await Promise.all([waitSynced(a), waitSynced(b)]);
		const id = addNeed(a.doc, { title: '老旧小区加装电梯', description: '居民反映上下楼困难。', category: 'infrastructure', submittedBy: fx.people.convener.id, submittedByName: '书记' });
		await waitAcked(a);
		await waitFor(() => readNeeds(b.doc).some((n) => n.id === id), 'card to reach b');
		const da = cardText(needsMap(a.doc).get(id)!, 'description');
		const db = cardText(needsMap(b.doc).get(id)!, 'description');
		da.insert(0, '三号楼');
		db.insert(db.length, '希望年内完成。');
		await Promise.all([waitAcked(a), waitAcked(b)]);
		await waitFor(() => readNeeds(a.doc)[0]?.description === readNeeds(b.doc)[0]?.description, 'convergence');
		expect(readNeeds(a.doc)[0]!.description).toBe('三号楼居民反映上下楼困难。希望年内完成。');
		expect(readNeeds(await stored())[0]!.description).toBe('三号楼居民反映上下楼困难。希望年内完成。');
	});

	it("a part-time member adds resources for their own unit only; another unit's resource is refused and never applied", async () => {
		const owner = client(fx.people.convener.token);
		const pt = client(fx.people.part_time.token);
		await Promise.all([waitSynced(owner), waitSynced(pt)]);
		// The convener records a resource of another unit.
		const foreign = addResource(owner.doc, { unitId: otherUnitId, type: 'venue', title: '学校操场', createdBy: fx.people.convener.id });
		await waitAcked(owner);
		// Own unit: allowed.
		const mine = addResource(pt.doc, { unitId: fx.unitId, type: 'people', title: '医护志愿者', quantity: '每月20小时', createdBy: fx.people.part_time.id });
		await waitAcked(pt);
		await waitFor(() => readResources(owner.doc).some((r) => r.id === mine), 'own resource to reach others');
		await waitFor(() => readResources(pt.doc).some((r) => r.id === foreign), 'foreign resource to reach the part-time member');
		// Editing the other unit's resource: refused, not stored, not seen by anyone.
		cardText(resourcesMap(pt.doc).get(foreign)!, 'title').insert(0, '（已占用）');
		await waitFor(() => pt.closes.some((c) => c.reason === 'forbidden-change'), 'refusal', 5000);
		await new Promise((r) => setTimeout(r, 200));
		expect(readResources(owner.doc).find((r) => r.id === foreign)!.title).toBe('学校操场');
		expect(readResources(await stored()).find((r) => r.id === foreign)!.title).toBe('学校操场');
	});

	it('a part-time member cannot add a resource in another unit’s name, nor take one over', async () => {
		const pt = client(fx.people.part_time.token);
		await waitSynced(pt);
		const forged = addResource(pt.doc, { unitId: otherUnitId, title: '冒名资源', createdBy: fx.people.part_time.id });
		await waitFor(() => pt.closes.some((c) => c.reason === 'forbidden-change'), 'refusal of a forged resource', 5000);
		expect(readResources(await stored()).some((r) => r.id === forged)).toBe(false);

		const pt2 = client(fx.people.part_time.token);
		await waitSynced(pt2);
		const theirs = readResources(pt2.doc).find((r) => r.unitId === otherUnitId)!;
		setCardValue(resourcesMap(pt2.doc).get(theirs.id)!, 'unitId', fx.unitId);
		await waitFor(() => pt2.closes.some((c) => c.reason === 'forbidden-change'), 'refusal of a take-over', 5000);
		expect(readResources(await stored()).find((r) => r.id === theirs.id)!.unitId).toBe(otherUnitId);
	});

	it('an observer cannot write', async () => {
		const observer = client(fx.people.observer.token);
		await waitSynced(observer);
		expect(observer.provider.authorizedScope).toBe('readonly');
		const before = readNeeds(await stored()).length;
		addNeed(observer.doc, { title: '列席者的需求', submittedBy: fx.people.observer.id, submittedByName: '列席' });
		await new Promise((r) => setTimeout(r, 300));
		expect(readNeeds(await stored())).toHaveLength(before);
	});
});
