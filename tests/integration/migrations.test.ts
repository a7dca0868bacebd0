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

describe.runIf(Boolean(process.env.DATABASE_URL))('migrations on PostgreSQL', () => {
	it('run once when several instances start at the same moment (advisory lock)', async () => {
		const { dropDatabase } = await import('../helpers/serverEnv');
		const pg = (await import('pg')).default;
		const { openDatabase } = await import('../../src/lib/server/db');
		const base = new URL(process.env.DATABASE_URL!);
		const name = `gj_mig_${process.pid}_${Date.now()}`;
		const admin = new pg.Client({ connectionString: base.toString() });
		await admin.connect();
		await admin.query(`create database ${name}`);
		await admin.end();
		base.pathname = `/${name}`;
		const instances = await Promise.all([1, 2, 3].map(() => openDatabase({ databaseUrl: base.toString(), dataDir: 'memory://' })));
		try {
			await Promise.all(instances.map((d) => d.migrate()));
			const result = await instances[0]!.db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
			const n = (result as unknown as { rows: { n: number }[] }).rows[0]!.n;
			const fs = await import('node:fs');
			expect(n).toBe(fs.readdirSync('migrations').filter((f) => f.endsWith('.sql')).length);
		} finally {
			await Promise.all(instances.map((d) => d.close()));
			await dropDatabase(base.toString());
		}
	});
});
