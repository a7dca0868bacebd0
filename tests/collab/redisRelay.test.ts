import { isTransactionOrigin } from '@hocuspocus/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agendaDocName } from '../../src/lib/docs/agenda';
import { DocStore } from '../../src/lib/server/docStore';
import { startCollabServer } from '../helpers/collabServer';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createCommitteeFixture, type CommitteeFixture } from '../helpers/fixtures';
import { connect, waitAcked, waitFor, waitSynced, type TestClient } from '../helpers/provider';
import { redisServerBinary, startRedis, type RedisProcess } from '../helpers/redisServer';
import { storedDoc } from '../helpers/storage';

/*
 * Two collaboration servers on one database, relaying through a private Redis: a change made
 * on one reaches the other's clients, arrives there with the origin persistence skips
 * ({ source: 'redis' }, as @hocuspocus/extension-redis applies it), and is stored exactly once.
 */
const missing = redisServerBinary() ? null : 'redis-server';
if (missing && process.env.CI) throw new Error(`${missing} is not installed; CI must run the relay test`);
if (missing) console.warn(`skipping the Redis relay test: ${missing} is not installed`);

let database: TestDatabase;
let redis: RedisProcess;
let a: Awaited<ReturnType<typeof startCollabServer>>;
let b: Awaited<ReturnType<typeof startCollabServer>>;
let fx: CommitteeFixture;
const clients: TestClient[] = [];

/** Counts what each instance appends (compaction may merge the rows themselves at any time). */
class CountingStore extends DocStore {
	readonly appended = new Map<string, number>();
	override append(docName: string, update: Uint8Array, userId: string | null = null): Promise<void> {
		this.appended.set(docName, (this.appended.get(docName) ?? 0) + 1);
		return super.append(docName, update, userId);
	}
}
let storeA: CountingStore;
let storeB: CountingStore;

beforeAll(async () => {
	if (missing) return;
	redis = await startRedis();
	database = await createTestDatabase();
	fx = await createCommitteeFixture(database.db);
	storeA = new CountingStore(database.db);
	storeB = new CountingStore(database.db);
	a = await startCollabServer(database, { redisUrl: redis.url, docStore: storeA, registerControl: false });
	b = await startCollabServer(database, { redisUrl: redis.url, docStore: storeB, registerControl: false });
});

afterAll(async () => {
	for (const c of clients) c.destroy();
	await a?.stop();
	await b?.stop();
	await database?.destroy();
	await redis?.stop();
});

describe.skipIf(Boolean(missing))('Redis relay between two instances', () => {
	it('relays a client edit and a server-side edit to the other instance, each stored once', async () => {
		const name = agendaDocName(fx.meetingId);
		const onA = connect(a.url, name, fx.people.convener.token);
		const onB = connect(b.url, name, fx.people.recorder.token);
		clients.push(onA, onB);
		await Promise.all([waitSynced(onA), waitSynced(onB)]);
		const origins: unknown[] = [];
		b.collab.hocuspocus.documents.get(name)!.on('update', (_u: Uint8Array, origin: unknown) => origins.push(origin));
		const count = () => [storeA.appended.get(name) ?? 0, storeB.appended.get(name) ?? 0];
		const [beforeA, beforeB] = count();

		onA.doc.getText('relay').insert(0, 'from A');
		await waitAcked(onA);
		await waitFor(() => onB.doc.getText('relay').toString() === 'from A', 'the edit on B', 10_000);
		expect(origins.some((o) => isTransactionOrigin(o) && o.source === 'redis')).toBe(true);
		// Give B every chance to (wrongly) store it too.
		await new Promise((r) => setTimeout(r, 500));
		expect(count()).toEqual([beforeA! + 1, beforeB]);

		await a.collab.control.edit!(name, (doc) => doc.getText('relay').insert(0, 'server: '));
		await waitFor(() => onB.doc.getText('relay').toString() === 'server: from A', 'the server-side edit on B', 10_000);
		await new Promise((r) => setTimeout(r, 500));
		expect(count()).toEqual([beforeA! + 2, beforeB]);

		const rebuilt = await storedDoc(database.db, name);
		expect(rebuilt.getText('relay').toString()).toBe('server: from A');
	});
});
