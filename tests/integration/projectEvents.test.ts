import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearDatabase, setDatabase } from '../../src/lib/server/db';
import { committees, progressReports, projectItems, projectItemUnits } from '../../src/lib/server/db/schema';
import { stopProjectEvents, subscribeProjectChanges } from '../../src/lib/server/projectEvents';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createCommitteeFixture, type CommitteeFixture } from '../helpers/fixtures';

let database: TestDatabase;
let fx: CommitteeFixture;
let other: CommitteeFixture;

beforeAll(async () => {
	database = await createTestDatabase();
	setDatabase(database);
	fx = await createCommitteeFixture(database.db);
	other = await createCommitteeFixture(database.db);
});
afterAll(async () => {
	await stopProjectEvents();
	clearDatabase();
	await database?.destroy();
});

/** Collects what a subscriber receives; `until` waits for a committee to show up. */
function collector() {
	const seen: string[] = [];
	return {
		seen,
		notify: (id: string) => seen.push(id),
		until: (id: string) => expect.poll(() => seen.includes(id), { timeout: 5000 }).toBe(true)
	};
}

describe('project change events', () => {
	it('reach the subscribers of the committee from triggers on items, units and reports, and nobody else', async () => {
		const mine = collector();
		const theirs = collector();
		const all = collector();
		const stops = [
			await subscribeProjectChanges(new Set([fx.committeeId]), mine.notify),
			await subscribeProjectChanges(new Set([other.committeeId]), theirs.notify),
			await subscribeProjectChanges('all', all.notify)
		];
		const [item] = await database.db.insert(projectItems).values({ committeeId: fx.committeeId, title: '加装电梯', level: 'community', dueDate: '2027-06-30' }).returning();
		await mine.until(fx.committeeId);
		await all.until(fx.committeeId);

		mine.seen.length = 0;
		await database.db.update(projectItems).set({ progress: 40 }).where(eq(projectItems.id, item!.id));
		await mine.until(fx.committeeId);

		mine.seen.length = 0;
		await database.db.insert(projectItemUnits).values({ projectItemId: item!.id, unitId: fx.unitId });
		await mine.until(fx.committeeId);

		mine.seen.length = 0;
		await database.db.insert(progressReports).values({ projectItemId: item!.id, unitId: fx.unitId, month: '2026-11', done: '已勘察', progress: 40 });
		await mine.until(fx.committeeId);

		// The other committee's subscriber heard none of it; an unrelated table change notifies nobody.
		await database.db.update(committees).set({ name: `${fx.committeeId}改名` }).where(eq(committees.id, fx.committeeId));
		await new Promise((r) => setTimeout(r, 300));
		expect(theirs.seen).toEqual([]);

		// After unsubscribing, nothing more arrives.
		for (const stop of stops) stop();
		mine.seen.length = 0;
		await database.db.update(projectItems).set({ progress: 50 }).where(eq(projectItems.id, item!.id));
		await new Promise((r) => setTimeout(r, 300));
		expect(mine.seen).toEqual([]);
	});

	it('sends nothing for a rolled-back change', async () => {
		const mine = collector();
		const stop = await subscribeProjectChanges(new Set([fx.committeeId]), mine.notify);
		await database.db
			.transaction(async (tx) => {
				await tx.insert(projectItems).values({ committeeId: fx.committeeId, title: '回滚的项目', level: 'community' });
				throw new Error('roll back');
			})
			.catch((err: Error) => expect(err.message).toBe('roll back'));
		await new Promise((r) => setTimeout(r, 300));
		expect(mine.seen).toEqual([]);
		stop();
	});
});
