import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addAgendaItem, agendaDocName, readAgenda } from '../../src/lib/docs/agenda';
import { DocStore } from '../../src/lib/server/docStore';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createCommitteeFixture, type CommitteeFixture } from '../helpers/fixtures';
import { startCollabServer } from '../helpers/collabServer';
import { connect, waitAcked, waitFor, waitSynced } from '../helpers/provider';

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

async function stored(name: string) {
	const doc = new Y.Doc();
	await new DocStore(database.db).loadInto(name, doc, null);
	return readAgenda(doc);
}

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
			expect((await stored(name)).map((i) => i.title)).not.toContain('停电期间写下的议题');
			store.failing = false;
			await waitAcked(client, 10_000);
			expect((await stored(name)).map((i) => i.title)).toContain('停电期间写下的议题');
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
			const titles = (await stored(name)).map((i) => i.title);
			expect(titles).toContain('断开后重连保存');
		} finally {
			client.destroy();
			await server.stop();
		}
	});
});
