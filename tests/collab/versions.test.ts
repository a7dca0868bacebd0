import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addAgendaItem, agendaDocName, readAgenda } from '../../src/lib/docs/agenda';
import { docVersions } from '../../src/lib/server/db/schema';
import { captureVersion } from '../../src/lib/server/docVersion';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createCommitteeFixture, type CommitteeFixture } from '../helpers/fixtures';
import { startCollabServer } from '../helpers/collabServer';
import { connect, waitAcked, waitFor, waitSynced, type TestClient } from '../helpers/provider';

let database: TestDatabase;
let server: Awaited<ReturnType<typeof startCollabServer>>;
let fx: CommitteeFixture;
let name: string;
const clients: TestClient[] = [];

beforeAll(async () => {
	database = await createTestDatabase();
	fx = await createCommitteeFixture(database.db);
	name = agendaDocName(fx.meetingId);
	server = await startCollabServer(database, { origin: 'http://app.test' });
});

afterAll(async () => {
	for (const c of clients) c.destroy();
	await server?.stop();
	await database?.destroy();
});

const versions = () => database.db.select().from(docVersions).where(eq(docVersions.docName, name)).orderBy(asc(docVersions.id));

async function poll<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs = 10_000): Promise<T> {
	const until = Date.now() + timeoutMs;
	for (;;) {
		const value = await read();
		if (ok(value)) return value;
		if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 50));
	}
}

describe('versions over real providers', () => {
	it('a stored document gets its first version automatically, naming who edited; a resend of known content names nobody', async () => {
		const a = connect(server.url, name, fx.people.convener.token);
		clients.push(a);
		await waitSynced(a);
		addAgendaItem(a.doc, { title: '老旧小区加装电梯' });
		await waitAcked(a);
		// The debounced store (200 ms here) finds no version yet and takes one.
		const [first] = await poll(versions, (v) => v.length > 0, 'an automatic version');
		expect(first).toMatchObject({ reason: 'auto', authorIds: [fx.people.convener.id] });

		// A member whose browser already holds the document (an offline copy) reconnects: its
		// provider sends everything it holds, which the server already has.
		const copy = new Y.Doc();
		Y.applyUpdate(copy, Y.encodeStateAsUpdate(a.doc));
		const b = connect(server.url, name, fx.people.member.token);
		clients.push(b);
		Y.applyUpdate(b.doc, Y.encodeStateAsUpdate(copy));
		await waitSynced(b);
		await waitAcked(b);
		addAgendaItem(a.doc, { title: '下月工作安排' });
		await waitAcked(a);
		await waitFor(() => readAgenda(b.doc).length === 2, 'the second item to reach b');
		const next = await captureVersion(database.db, name, { reason: 'manual' });
		expect(next.created).toBe(true);
		const all = await versions();
		expect(all[all.length - 1]!.authorIds).toEqual([fx.people.convener.id]);
	});
});
