import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createTestDatabase, type TestDatabase } from '../helpers/db';

let database: TestDatabase;
beforeAll(async () => {
	database = await createTestDatabase();
});
afterAll(async () => {
	await database?.destroy();
});

describe('migrations', () => {
	it('create every table from an empty database', async () => {
		const result = await database.db.execute(
			sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`
		);
		const names = (result as unknown as { rows: { table_name: string }[] }).rows.map((r) => r.table_name);
		for (const table of ['users', 'sessions', 'committees', 'memberships', 'meetings', 'doc_updates', 'doc_snapshots', 'units', 'audit_log']) {
			expect(names).toContain(table);
		}
	});

	it('are idempotent: running them again changes nothing', async () => {
		await database.migrate();
		await database.migrate();
	});
});
