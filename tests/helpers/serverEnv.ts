import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createTestDatabase } from './db';
import type { ServerEnv } from './serverProcess';

/**
 * Environment for a server child process: a fresh temp DATA_DIR (PGlite), or a fresh
 * throw-away PostgreSQL database when DATABASE_URL is set.
 */
export async function freshServerEnv(extra: ServerEnv = {}): Promise<{ env: ServerEnv; databaseUrl: string | null; cleanup(): Promise<void> }> {
	if (process.env.DATABASE_URL) {
		const db = await createTestDatabase();
		await db.close();
		const url = db.url!;
		return {
			env: { DATABASE_URL: url, ...extra },
			databaseUrl: url,
			async cleanup() {
				await dropDatabase(url);
			}
		};
	}
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gj-server-'));
	return {
		env: { DATA_DIR: dir, ...extra },
		databaseUrl: null,
		async cleanup() {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	};
}

export async function dropDatabase(url: string): Promise<void> {
	const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
	await admin.connect();
	try {
		await admin.query(`drop database if exists ${new URL(url).pathname.slice(1)} with (force)`);
	} finally {
		await admin.end();
	}
}
