import pg from 'pg';
import { IN_MEMORY, openDatabase, type Database } from '../../src/lib/server/db';

/**
 * A fresh, migrated database for one test file: in-memory PGlite by default, or a new
 * throw-away database on the PostgreSQL server named by DATABASE_URL (CI runs both).
 */
export interface TestDatabase extends Database {
	/** DATABASE_URL of the throw-away database (postgres only), for child processes. */
	url: string | null;
	destroy(): Promise<void>;
}

export const usingPostgres = (): boolean => Boolean(process.env.DATABASE_URL);

export async function createTestDatabase(): Promise<TestDatabase> {
	const base = process.env.DATABASE_URL;
	if (!base) {
		const database = await openDatabase({ databaseUrl: null, dataDir: IN_MEMORY });
		await database.migrate();
		return { ...database, url: null, destroy: () => database.close() };
	}
	const name = `gj_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
	const admin = new pg.Client({ connectionString: base });
	await admin.connect();
	await admin.query(`create database ${name}`);
	await admin.end();
	const url = new URL(base);
	url.pathname = `/${name}`;
	const database = await openDatabase({ databaseUrl: url.toString(), dataDir: IN_MEMORY });
	await database.migrate();
	return {
		...database,
		url: url.toString(),
		async destroy() {
			await database.close();
			const again = new pg.Client({ connectionString: base });
			await again.connect();
			await again.query(`drop database if exists ${name} with (force)`);
			await again.end();
		}
	};
}
