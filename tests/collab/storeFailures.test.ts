import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addAgendaItem, agendaDocName, readAgenda } from '../../src/lib/docs/agenda';
import { DocStore } from '../../src/lib/server/docStore';
import { docSnapshots, docUpdates } from '../../src/lib/server/db/schema';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createCommitteeFixture, type CommitteeFixture } from '../helpers/fixtures';
import { startCollabServer } from '../helpers/collabServer';
import { connect, waitAcked, waitFor, waitSynced } from '../helpers/provider';
import { storedAgendaTitles, storedDoc } from '../helpers/storage';

/** A store whose appends fail while `failing` is set, as during a database outage. */
class FlakyStore extends DocStore {
	failing = false;
	attempts = 0;
	override append(docName: string, update: Uint8Array): Promise<void> {
		this.attempts++;
		if (this.failing) return Promise.reject(new Error('connection refused (simulated outage)'));
		return super.append(docName, update);
	}
}

let database: TestDatabase;
let fx: CommitteeFixture;
beforeAll(async () => {
	database = await createTestDatabase();
	fx = await createCommitteeFixture(database.db);
});
afterAll(() => database?.destroy());


describe('when the update log cannot be written', () => {
	it('does not acknowledge the edit until it is stored, retrying meanwhile', async () => {
		const store = new FlakyStore(database.db);
		const server = await startCollabServer(database, { docStore: store });
		const name = agendaDocName(fx.meetingId);
		const client = connect(server.url, name, fx.people.convener.token);
		try {
			await waitSynced(client);
			store.failing = true;
			const attemptsBefore = store.attempts;
			addAgendaItem(client.doc, { title: '停电期间写下的议题' });
			await waitFor(() => store.attempts >= attemptsBefore + 3, 'retries', 10_000);
			// The client still counts the edit as unsaved: nothing was acknowledged.
			expect(client.provider.hasUnsyncedChanges).toBe(true);
			expect((await storedAgendaTitles(database.db, name))).not.toContain('停电期间写下的议题');
			store.failing = false;
			await waitAcked(client, 10_000);
			expect((await storedAgendaTitles(database.db, name))).toContain('停电期间写下的议题');
		} finally {
			client.destroy();
			await server.stop();
		}
	});

	it('after giving up, closes the connection; the client keeps its edit and saves it on reconnect', async () => {
		const store = new FlakyStore(database.db);
		const server = await startCollabServer(database, { docStore: store, appendGiveUpMs: 500 });
		const name = agendaDocName(fx.meetingId);
		const client = connect(server.url, name, fx.people.recorder.token);
		try {
			await waitSynced(client);
			store.failing = true;
			addAgendaItem(client.doc, { title: '断开后重连保存' });
			await waitFor(() => client.closes.some((c) => c.reason === 'storage-unavailable'), 'storage-unavailable close', 10_000);
			store.failing = false;
			// The server also dropped the transport: the provider reconnects by itself and resends
			// what the server never acknowledged.
			await waitFor(() => client.provider.isSynced && !client.provider.hasUnsyncedChanges, 'resync', 15_000);
			const titles = (await storedAgendaTitles(database.db, name));
			expect(titles).toContain('断开后重连保存');
		} finally {
			client.destroy();
			await server.stop();
		}
	});
});

/** A store whose loads fail while `failing` is set (the database answered the append, then went away). */
class UnloadableStore extends DocStore {
	failing = false;
	loads = 0;
	override loadInto(docName: string, doc: Y.Doc, origin: unknown): Promise<number> {
		this.loads++;
		if (this.failing) return Promise.reject(new Error('connection refused (simulated outage during a load)'));
		return super.loadInto(docName, doc, origin);
	}
}

async function storedRows(name: string) {
	const rows = await database.db.select().from(docUpdates).where(eq(docUpdates.docName, name)).orderBy(asc(docUpdates.id));
	const [snapshot] = await database.db.select().from(docSnapshots).where(eq(docSnapshots.docName, name));
	return { rows: rows.map((r) => [r.id, Buffer.from(r.update).toString('base64')]), snapshot: snapshot ? Buffer.from(snapshot.state).toString('base64') : null };
}

describe('when a document cannot be loaded', () => {
	it('refuses to open it and never stores over it; it opens with everything once loading works again', async () => {
		const name = agendaDocName(fx.meetingId);
		// Something stored beforehand, compacted into the snapshot, plus a log row after it.
		const seed = await storedDoc(database.db, name);
		addAgendaItem(seed, { title: '加载失败前已保存的议题' });
		const before = new DocStore(database.db);
		await before.append(name, Y.encodeStateAsUpdate(seed));
		await before.compact(name);
		addAgendaItem(seed, { title: '压缩之后的议题' });
		await before.append(name, Y.encodeStateAsUpdate(seed));
		const storedBefore = await storedRows(name);
		expect(storedBefore.rows.length).toBeGreaterThan(0);
		expect(storedBefore.snapshot).not.toBeNull();

		const store = new UnloadableStore(database.db);
		store.failing = true;
		// Quiet time of 200 ms: a store (compaction) would run within a second if one were scheduled.
		const server = await startCollabServer(database, { docStore: store });
		const client = connect(server.url, name, fx.people.convener.token);
		try {
			await waitFor(() => store.loads >= 1, 'a load attempt', 10_000);
			// The person types into the empty document they were given nothing for.
			addAgendaItem(client.doc, { title: '加载失败时写下的议题' });
			await new Promise((r) => setTimeout(r, 1_500));
			expect(client.provider.isSynced, 'a document that did not load was shown as open').toBe(false);
			// Nothing written: not the empty document, not a compaction, not the edit.
			expect(await storedRows(name)).toEqual(storedBefore);

			store.failing = false;
			client.socket.disconnect();
			await waitFor(() => client.socket.status === 'disconnected', 'disconnect');
			void client.socket.connect();
			await waitAcked(client, 15_000);
			const titles = (await storedAgendaTitles(database.db, name));
			expect(titles).toEqual(expect.arrayContaining(['加载失败前已保存的议题', '压缩之后的议题', '加载失败时写下的议题']));
			expect(readAgenda(client.doc).map((i) => i.title)).toEqual(expect.arrayContaining(['加载失败前已保存的议题', '压缩之后的议题']));
		} finally {
			client.destroy();
			await server.stop();
		}
	});
});
