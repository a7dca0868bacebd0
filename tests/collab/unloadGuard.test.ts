import type { beforeUnloadDocumentPayload, Extension, Hocuspocus, onAuthenticatePayload } from '@hocuspocus/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAgendaItem, agendaDocName, readAgenda } from '../../src/lib/docs/agenda';
import type { CollabContext } from '../../server/collab/context';
import { UnloadGuard } from '../../server/collab/extensions/unloadGuard';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { storedAgendaTitles } from '../helpers/storage';
import { createCommitteeFixture, type CommitteeFixture } from '../helpers/fixtures';
import { startCollabServer } from '../helpers/collabServer';
import { connect, waitAcked, waitFor, waitSynced, type TestClient } from '../helpers/provider';

/*
 * UnloadGuard (server/collab/extensions/unloadGuard.ts) against the race it exists for: Hocuspocus
 * looks the document up in createDocument and registers the connection on it a few microtasks
 * later; an unload whose hooks finish in between destroys the document under the new connection,
 * which then edits a document nobody else shares. The socket fuzzer hit that window; here it is
 * made wide and deterministic:
 *
 * - a test extension holds the unload in beforeUnloadDocument (as a slow hook would);
 * - createDocument is wrapped so that, when it finds the document while an unload is under way,
 *   it hands the document over only once that unload has ended — what happens when the unload's
 *   last hook wins the race to the connection's registration.
 *
 * Without the guard both scenarios leave the new client on a destroyed document: it syncs and its
 * edits are even stored, but other clients never see them live and it never sees theirs.
 */

/** A gate the test opens by hand. */
function gate(): { promise: Promise<void>; open(): void } {
	let open = () => {};
	const promise = new Promise<void>((resolve) => (open = resolve));
	return { promise, open };
}

/** Holds, when asked to, a document's unload and connections' authentication. */
class Holds implements Extension {
	extensionName = 'test-holds';
	unloadsStarted = 0;
	authenticating = 0;
	unload: ReturnType<typeof gate> | null = null;
	auth: ReturnType<typeof gate> | null = null;

	constructor(private readonly documentName: string) {}

	async beforeUnloadDocument({ documentName }: beforeUnloadDocumentPayload): Promise<void> {
		if (documentName !== this.documentName) return;
		this.unloadsStarted++;
		if (this.unload) await this.unload.promise;
	}

	async onAuthenticate({ documentName }: onAuthenticatePayload): Promise<void> {
		if (documentName !== this.documentName || !this.auth) return;
		this.authenticating++;
		await this.auth.promise;
	}
}

/**
 * Widens Hocuspocus' window between looking a document up and registering a connection on it:
 * a document found while its unload is under way is handed over once that unload has ended.
 */
function widenHandOver(hocuspocus: Hocuspocus<CollabContext>): { handedOverWhileUnloading: number } {
	const seen = { handedOverWhileUnloading: 0 };
	const createDocument = hocuspocus.createDocument.bind(hocuspocus);
	hocuspocus.createDocument = async (...args: Parameters<Hocuspocus<CollabContext>['createDocument']>) => {
		const unloading = hocuspocus.unloadingDocuments.get(args[0]);
		const document = await createDocument(...args);
		if (unloading && document.name === args[0]) {
			seen.handedOverWhileUnloading++;
			await unloading;
		}
		return document;
	};
	return seen;
}

/** Connections UnloadGuard knows are being set up for the document (0 when the server runs without it). */
function opening(hocuspocus: Hocuspocus<CollabContext>, documentName: string): number {
	const guard = hocuspocus.configuration.extensions.find((e): e is UnloadGuard => e instanceof UnloadGuard);
	return guard?.openingCount(documentName) ?? 0;
}

let database: TestDatabase;
let fx: CommitteeFixture;
beforeAll(async () => {
	database = await createTestDatabase();
	fx = await createCommitteeFixture(database.db);
});
afterAll(() => database?.destroy());

const storedTitles = (name: string) => storedAgendaTitles(database.db, name);

const titles = (c: TestClient) => readAgenda(c.doc).map((i) => i.title);

/**
 * What a client that opened the document during the unload must be able to do: see everything,
 * edit, have the edit stored, and share the live document with the next client both ways.
 */
async function expectFullyConnected(server: Awaited<ReturnType<typeof startCollabServer>>, name: string, late: TestClient, before: string[], tag: string) {
	const clients: TestClient[] = [];
	try {
		await waitSynced(late, 10_000);
		expect(titles(late)).toEqual(expect.arrayContaining(before));
		addAgendaItem(late.doc, { title: `${tag}：迟到者的议题` });
		await waitAcked(late, 10_000);
		expect(await storedTitles(name)).toContain(`${tag}：迟到者的议题`);

		const other = connect(server.url, name, fx.people.recorder.token);
		clients.push(other);
		await waitSynced(other, 10_000);
		await waitFor(() => titles(other).includes(`${tag}：迟到者的议题`), 'the other client to have the late client’s item');
		addAgendaItem(other.doc, { title: `${tag}：另一位的议题` });
		await waitAcked(other, 10_000);
		await waitFor(() => titles(late).includes(`${tag}：另一位的议题`), 'the late client to see the other client’s edit live', 5_000);
		addAgendaItem(late.doc, { title: `${tag}：迟到者的第二项` });
		await waitFor(() => titles(other).includes(`${tag}：迟到者的第二项`), 'the other client to see the late client’s edit live', 5_000);
		// Both are registered on the document the server holds.
		const live = server.collab.hocuspocus.documents.get(name);
		expect(live?.isDestroyed, 'the live document was destroyed').toBe(false);
		expect(live?.getConnectionsCount(), 'clients on the live document').toBe(2);
		await waitAcked(late, 10_000);
		expect(await storedTitles(name)).toEqual(expect.arrayContaining([...before, `${tag}：迟到者的议题`, `${tag}：另一位的议题`, `${tag}：迟到者的第二项`]));
	} finally {
		for (const c of clients) c.destroy();
	}
}

describe('a connection opening a document whose unload is under way', () => {
	it('waits for the unload and gets a live document', async () => {
		const name = agendaDocName(fx.meetingId);
		const holds = new Holds(name);
		const server = await startCollabServer(database);
		// Last: the guard's own beforeUnloadDocument has already let the unload through when this one holds it.
		server.collab.hocuspocus.configuration.extensions.push(holds);
		const seen = widenHandOver(server.collab.hocuspocus);
		const first = connect(server.url, name, fx.people.convener.token);
		let late: TestClient | null = null;
		try {
			await waitSynced(first);
			addAgendaItem(first.doc, { title: '卸载前的议题' });
			await waitAcked(first);

			holds.unload = gate();
			// The last client leaves: once the debounced compaction has run, the unload begins and is held.
			first.destroy();
			await waitFor(() => holds.unloadsStarted > 0, 'the unload to begin');
			expect(server.collab.hocuspocus.unloadingDocuments.has(name)).toBe(true);

			late = connect(server.url, name, fx.people.convener.token);
			// Either the guard holds the new connection back, or Hocuspocus hands it the unloading document.
			await waitFor(() => opening(server.collab.hocuspocus, name) > 0 || seen.handedOverWhileUnloading > 0, 'the new connection to reach the unloading document');
			holds.unload.open();

			await expectFullyConnected(server, name, late, ['卸载前的议题'], '卸载中打开');
		} finally {
			holds.unload?.open();
			late?.destroy();
			first.destroy();
			await server.stop();
		}
	});
});

describe('an unload that starts while a connection is being set up', () => {
	it('is called off, and the connection gets the live document', async () => {
		const name = agendaDocName(fx.meetingId);
		const holds = new Holds(name);
		const server = await startCollabServer(database);
		// First: it sees (and holds) every unload, also one the guard then calls off.
		server.collab.hocuspocus.configuration.extensions.unshift(holds);
		const seen = widenHandOver(server.collab.hocuspocus);
		const first = connect(server.url, name, fx.people.convener.token);
		let late: TestClient | null = null;
		try {
			await waitSynced(first);
			addAgendaItem(first.doc, { title: '设置连接时已有的议题' });
			await waitAcked(first);

			// The new connection is authenticating (held) when the last client leaves.
			holds.auth = gate();
			late = connect(server.url, name, fx.people.convener.token);
			await waitFor(() => holds.authenticating > 0, 'the new connection to be authenticating');
			holds.unload = gate();
			first.destroy();
			await waitFor(() => holds.unloadsStarted > 0, 'the unload to begin');
			// Authentication done, the connection looks the document up while the unload is held,
			// and the unload ends before the connection is registered (see widenHandOver).
			holds.auth.open();
			await waitFor(() => seen.handedOverWhileUnloading > 0, 'the new connection to be handed the unloading document');
			holds.unload.open();

			await expectFullyConnected(server, name, late, ['设置连接时已有的议题'], '设置中卸载');
		} finally {
			holds.auth?.open();
			holds.unload?.open();
			late?.destroy();
			first.destroy();
			await server.stop();
		}
	});
});
