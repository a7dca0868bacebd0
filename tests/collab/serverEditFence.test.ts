import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addAgendaItem, agendaDocName, readAgenda } from '../../src/lib/docs/agenda';
import { fence } from '../../src/lib/server/docFence';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { storedAgendaTitles } from '../helpers/storage';
import { createCommitteeFixture, type CommitteeFixture } from '../helpers/fixtures';
import { startCollabServer } from '../helpers/collabServer';
import { connect, waitFor, waitSynced, type TestClient } from '../helpers/provider';

/*
 * A server-side change (collabControl.edit: links, statuses written by server code) to a
 * document that another instance fenced meanwhile: this instance has not heard of the fence
 * yet, so only the database refuses the append. The refusal must leave no trace anywhere —
 * not in the live document, not with the clients connected here, not with the next client to
 * open the document, not in storage.
 */

let database: TestDatabase;
let fx: CommitteeFixture;
beforeAll(async () => {
	database = await createTestDatabase();
	fx = await createCommitteeFixture(database.db);
});
afterAll(() => database?.destroy());

const storedTitles = (name: string) => storedAgendaTitles(database.db, name);

const titles = (doc: Y.Doc) => readAgenda(doc).map((i) => i.title);

describe('a server-side edit refused by a fence', () => {
	it('is reported and leaves no trace in the live document, with clients or in storage', async () => {
		const name = agendaDocName(fx.meetingId);
		const server = await startCollabServer(database, { registerControl: false });
		const edit = server.collab.control.edit!;
		const clients: TestClient[] = [];
		try {
			const watcher = connect(server.url, name, fx.people.convener.token);
			clients.push(watcher);
			await waitSynced(watcher);
			// A server-side edit that goes through, so the refused one is not the only thing to look for.
			await edit(name, (doc) => addAgendaItem(doc, { title: '服务器写入的议题' }));
			await waitFor(() => titles(watcher.doc).includes('服务器写入的议题'), 'the watcher to see the accepted server edit');

			// Another instance freezes the document; its notice has not reached this one.
			await fence(database.db, [name]);
			await expect(edit(name, (doc) => addAgendaItem(doc, { title: '被围栏拒绝的议题' }))).rejects.toThrow(/frozen/);

			// The watcher keeps the document loaded.
			const live = server.collab.hocuspocus.documents.get(name);
			expect(live, 'the live document').toBeDefined();
			expect(titles(live!), 'the live document').not.toContain('被围栏拒绝的议题');
			// Anything broadcast would have arrived by now.
			await new Promise((r) => setTimeout(r, 300));
			expect(titles(watcher.doc), 'the client connected meanwhile').not.toContain('被围栏拒绝的议题');
			expect(titles(watcher.doc)).toContain('服务器写入的议题');

			const fresh = connect(server.url, name, fx.people.recorder.token);
			clients.push(fresh);
			await waitSynced(fresh);
			expect(titles(fresh.doc), 'a client that opens the document afterwards').toContain('服务器写入的议题');
			expect(titles(fresh.doc), 'a client that opens the document afterwards').not.toContain('被围栏拒绝的议题');

			const stored = await storedTitles(name);
			expect(stored).toContain('服务器写入的议题');
			expect(stored, 'storage').not.toContain('被围栏拒绝的议题');
		} finally {
			for (const c of clients) c.destroy();
			await server.stop();
		}
	});
});
