import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { restoreEmbedded } from '../../src/lib/server/backup';
import { openDatabase, type Database } from '../../src/lib/server/db';
import { meetings } from '../../src/lib/server/db/schema';
import { transitionMeeting } from '../../src/lib/server/meetingLifecycle';
import { verifyRecord } from '../../src/lib/server/record';
import { eq } from 'drizzle-orm';
import { createCommitteeFixture } from '../helpers/fixtures';
import { decision, docOf, h, p, writeMinutes } from '../helpers/minutes';

/*
 * Backup of the embedded database while it is open, restored into a fresh DATA_DIR: every
 * table's rows come back the same (documents' update logs and snapshots, records with hashes
 * that still verify).
 */
const dirs: string[] = [];
const tmp = () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gj-backup-'));
	dirs.push(dir);
	return dir;
};
afterAll(() => {
	for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** Every row of every table of ours, as text, in a stable order. */
async function everything(database: Database): Promise<Record<string, string[]>> {
	const tables = (await database.db.execute(sql`select tablename from pg_tables where schemaname = 'public' order by tablename`)) as unknown as { rows: { tablename: string }[] };
	const out: Record<string, string[]> = {};
	for (const { tablename } of tables.rows) {
		const rows = (await database.db.execute(sql.raw(`select t::text as row from "${tablename}" t`))) as unknown as { rows: { row: string }[] };
		out[tablename] = rows.rows.map((r) => r.row).sort();
	}
	return out;
}

describe('backup and restore of the embedded database', () => {
	it('a backup taken while the database is open restores into a fresh DATA_DIR with every document and record', async () => {
		const source = await openDatabase({ databaseUrl: null, dataDir: tmp() });
		await source.migrate();
		const fx = await createCommitteeFixture(source.db);
		await writeMinutes(source.db, fx.meetingId, docOf(h(1, '备份测试纪要'), p('会议研究了垃圾分类。'), decision('77777777-0000-4000-8000-000000000001', '由测试医院负责', [fx.unitId], '2026-12-31')));
		await source.db.update(meetings).set({ state: 'review' }).where(eq(meetings.id, fx.meetingId));
		const result = await transitionMeeting(source.db, { meetingId: fx.meetingId, transition: 'finalize', actor: { id: fx.people.convener.id, isAdmin: false }, override: '测试' });
		const before = await everything(source);
		const archive = (await source.backup())!;
		expect(archive.byteLength).toBeGreaterThan(1000);
		// Still usable after the copy.
		await source.ping();
		await source.close();

		const target = tmp();
		await restoreEmbedded(archive, target);
		const restored = await openDatabase({ databaseUrl: null, dataDir: target });
		try {
			await restored.migrate();
			const after = await everything(restored);
			expect(Object.keys(after)).toEqual(Object.keys(before));
			for (const table of Object.keys(before)) expect(after[table], table).toEqual(before[table]);
			expect(before.doc_updates!.length + before.doc_snapshots!.length).toBeGreaterThan(0);
			expect(before.records).toHaveLength(1);
			expect(await verifyRecord(restored.db, result.finalization!.record.id)).toMatchObject({ valid: true });
		} finally {
			await restored.close();
		}
		// A restore never overwrites a database.
		await expect(restoreEmbedded(archive, target)).rejects.toThrow(/already holds a database/);
	});
});
