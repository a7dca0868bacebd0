import fs from 'node:fs';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as schema from '../../src/lib/server/db/schema';
import { bulletins, districts, docFences, docUpdates, meetings } from '../../src/lib/server/db/schema';
import { agendaDocName } from '../../src/lib/docs/agenda';
import { bulletinDocName } from '../../src/lib/docs/bulletin';
import { minutesDocName } from '../../src/lib/docs/minutes';
import { createCommitteeFixture } from '../helpers/fixtures';
import type { Db } from '../../src/lib/server/db';
import { DocumentFrozenError, fence, fencedAmong, unfence } from '../../src/lib/server/docFence';
import { DocStore } from '../../src/lib/server/docStore';
import { createTestDatabase, usingPostgres, type TestDatabase } from '../helpers/db';

/*
 * Fences (migration 0013): the database refuses appends to a frozen document, for every
 * instance. A fence waits for appends in flight; appends after it are skipped by the trigger
 * and rejected as frozen, while the rest of the same group commit is stored.
 */

let database: TestDatabase;
let store: DocStore;
beforeAll(async () => {
	database = await createTestDatabase();
	store = new DocStore(database.db);
});
afterAll(() => database?.destroy());

function edits(n: number): Uint8Array[] {
	const doc = new Y.Doc();
	const out: Uint8Array[] = [];
	doc.on('update', (u: Uint8Array) => out.push(u));
	for (let i = 0; i < n; i++) doc.getText('t').insert(i, String(i % 10));
	doc.destroy();
	return out;
}

async function rows(name: string): Promise<number> {
	return store.logRowCount(name);
}

describe('document fences', () => {
	it('rejects the appends to a fenced document as frozen and stores the rest of the same batch', async () => {
		await fence(database.db, ['fence/frozen']);
		const before = store.maxBatch;
		const open = edits(20).map((u) => store.append('fence/open', u));
		const frozen = edits(20).map((u) => store.append('fence/frozen', u));
		const results = await Promise.allSettled([...open, ...frozen]);
		// Queued in one turn: the first append starts the flush alone, the other 39 (both documents) go as one group commit.
		expect(store.maxBatch).toBeGreaterThanOrEqual(Math.max(before, 39));
		expect(results.slice(0, 20).every((r) => r.status === 'fulfilled')).toBe(true);
		for (const r of results.slice(20)) {
			expect(r.status).toBe('rejected');
			expect((r as PromiseRejectedResult).reason).toBeInstanceOf(DocumentFrozenError);
			expect(((r as PromiseRejectedResult).reason as DocumentFrozenError).docName).toBe('fence/frozen');
		}
		expect(await rows('fence/open')).toBe(20);
		expect(await rows('fence/frozen')).toBe(0);
	});

	it('waits for an append in flight: its row is in the log before the fence, later appends are refused', async () => {
		const [first, second] = edits(2);
		let release!: () => void;
		const gate = new Promise<void>((r) => (release = r));
		let inserted!: () => void;
		const insertedYet = new Promise<void>((r) => (inserted = r));
		// An append that has taken the fence lock (shared, in the trigger) and not committed yet.
		const inFlight = database.db.transaction(async (tx) => {
			await tx.insert(docUpdates).values({ docName: 'fence/flight', update: first! });
			inserted();
			await gate;
		});
		await insertedYet;
		let fenced = false;
		const fencing = fence(database.db, ['fence/flight']).then(() => (fenced = true));
		await new Promise((r) => setTimeout(r, 300));
		expect(fenced).toBe(false);
		release();
		await inFlight;
		await fencing;
		expect(await rows('fence/flight')).toBe(1);
		await expect(store.append('fence/flight', second!)).rejects.toBeInstanceOf(DocumentFrozenError);
		expect(await rows('fence/flight')).toBe(1);
	});

	it('thaws: the document takes writes again', async () => {
		const [a, b] = edits(2);
		await fence(database.db, ['fence/thaw']);
		await expect(store.append('fence/thaw', a!)).rejects.toBeInstanceOf(DocumentFrozenError);
		expect(await fencedAmong(database.db, ['fence/thaw', 'fence/open'])).toEqual(new Set(['fence/thaw']));
		await unfence(database.db, ['fence/thaw']);
		await store.append('fence/thaw', b!);
		expect(await rows('fence/thaw')).toBe(1);
		// Fencing twice is harmless.
		await fence(database.db, ['fence/thaw']);
		await fence(database.db, ['fence/thaw']);
		expect((await database.db.select().from(docFences).where(eq(docFences.docName, 'fence/thaw'))).length).toBe(1);
	});

	it('sends the notice with the fence, in its transaction', async () => {
		const heard: string[] = [];
		const stop = await database.listen('collab_control', (p) => heard.push(p));
		try {
			await fence(database.db, ['fence/notice'], '{"op":"freeze","names":["fence/notice"],"from":"test"}');
			await unfence(database.db, ['fence/notice'], '{"op":"thaw","names":["fence/notice"],"from":"test"}');
			const deadline = Date.now() + 5_000;
			while (heard.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
			expect(heard.map((p) => (JSON.parse(p) as { op: string }).op)).toEqual(['freeze', 'thaw']);
		} finally {
			await stop();
		}
	});
});

describe('migration 0013', () => {
	it('fences the documents already frozen, named exactly as names.ts names them', async () => {
		const fx = await createCommitteeFixture(database.db);
		await database.db.update(meetings).set({ state: 'finalized' }).where(eq(meetings.id, fx.meetingId));
		const [district] = await database.db.select({ id: districts.id }).from(districts).limit(1);
		await database.db.insert(bulletins).values({ scopeId: fx.committeeId, districtId: district!.id, committeeId: fx.committeeId, year: 2026, quarter: 3, state: 'frozen', figuresAsOf: '2026-09-30' });
		// The migration's backfill statement, run again now that such rows exist.
		const migration = fs.readFileSync(path.resolve('migrations/0013_doc_fences.sql'), 'utf8');
		const backfill = migration.slice(migration.indexOf('INSERT INTO doc_fences'));
		await database.db.execute(sql.raw(backfill));
		const names = [agendaDocName(fx.meetingId), minutesDocName(fx.meetingId), bulletinDocName(fx.committeeId, 2026, 3)];
		expect(await fencedAmong(database.db, names)).toEqual(new Set(names));
	});
});

describe.runIf(usingPostgres())('document fences on PostgreSQL', () => {
	it('keep the group commit at one statement (one round trip) per batch', async () => {
		let statements = 0;
		const pool = new pg.Pool({ connectionString: database.url!, max: 2 });
		try {
			const counted = drizzle(pool, { schema, logger: { logQuery: () => void statements++ } }) as unknown as Db;
			const counting = new DocStore(counted);
			await fence(database.db, ['fence/rt-frozen']);
			const started = performance.now();
			const all = [...edits(100).map((u) => counting.append('fence/rt-open', u)), ...edits(100).map((u) => counting.append('fence/rt-frozen', u))];
			await Promise.allSettled(all);
			const ms = performance.now() - started;
			// The first append flushes alone (it starts the loop); the other 199 wait for it and go together.
			expect(statements).toBeLessThanOrEqual(2);
			expect(await rows('fence/rt-open')).toBe(100);
			console.log(`group commit with a fence trigger: 200 appends in ${statements} statement(s), ${ms.toFixed(1)} ms`);
			expect(await rows('fence/rt-frozen')).toBe(0);
		} finally {
			await pool.end();
		}
	});
});
