import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { minutesDocName } from '../../src/lib/docs/minutes';
import { CLIENT_SCHEMA_VERSION, SCHEMA_PARAM } from '../../src/lib/docs/schemaVersion';
import { meetings } from '../../src/lib/server/db/schema';
import { DocStore } from '../../src/lib/server/docStore';
import { startCollabServer } from '../helpers/collabServer';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { storedDoc } from '../helpers/storage';
import { createCommitteeFixture, type CommitteeFixture } from '../helpers/fixtures';
import { connect, waitFor, waitSynced } from '../helpers/provider';

/*
 * The update gate checks each update against a shadow of the live document that already holds
 * every update admitted before it — including those whose log write is still in flight and
 * which Hocuspocus applies to the live document only once stored. The socket fuzzer once saw
 * an update pass the gate and still throw in the live apply: a refused update had thrown the
 * shadow away, the shadow was taken again from the live document without the updates still in
 * flight, and the next update was checked against a document that lacked them. The forged
 * update that showed it is now refused earlier (it names a later item of its own client:
 * tests/unit/gateSelfForward.test.ts), so this test builds the sequence with honest updates and
 * the log writes held:
 *
 *   A admitted, its write held · the shadow thrown away · C, which continues A, admitted.
 *
 * The shadow taken again for C must hold A; before the fix C waited there for A (pending).
 */

/** A store whose appends wait while their update is in `held`. */
class HeldStore extends DocStore {
	readonly held = new Map<Uint8Array, Promise<void>>();
	/** Appends that reached a hold so far. */
	waited = 0;
	override async append(docName: string, update: Uint8Array, userId: string | null = null): Promise<void> {
		for (const [bytes, gate] of this.held) {
			if (!sameBytes(bytes, update)) continue;
			this.waited++;
			await gate;
		}
		return super.append(docName, update, userId);
	}
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
	return a.byteLength === b.byteLength && a.every((v, i) => v === b[i]);
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
	let resolve!: () => void;
	const promise = new Promise<void>((r) => (resolve = r));
	return { promise, resolve };
}

const AUTH = 2;
const SYNC = 0;
const CLOSE = 7;
const SYNC_STATUS = 8;

const frame = (write: (e: encoding.Encoder) => void) => {
	const e = encoding.createEncoder();
	write(e);
	return encoding.toUint8Array(e);
};

/** A bare protocol client: one document, authenticated, sending raw updates. */
async function rawClient(url: string, name: string, token: string) {
	const ws = new WebSocket(`${url}?${SCHEMA_PARAM}=${CLIENT_SCHEMA_VERSION}`);
	const seen: { type: number; value: number }[] = [];
	ws.binaryType = 'nodebuffer';
	ws.on('message', (data: Buffer) => {
		const d = decoding.createDecoder(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
		if (decoding.readVarString(d) !== name) return;
		const type = decoding.readVarUint(d);
		seen.push({ type, value: type === AUTH || type === SYNC_STATUS ? decoding.readVarUint(d) : -1 });
	});
	await new Promise<void>((resolve, reject) => (ws.once('open', () => resolve()), ws.once('error', reject)));
	ws.send(frame((e) => (encoding.writeVarString(e, name), encoding.writeVarUint(e, AUTH), encoding.writeVarUint(e, 0), encoding.writeVarString(e, token))));
	await waitFor(() => seen.some((m) => m.type === AUTH), 'the answer to authentication', 10_000);
	if (!seen.some((m) => m.type === AUTH && m.value === 2)) throw new Error('authentication refused');
	return {
		seen,
		send(update: Uint8Array) {
			ws.send(frame((e) => (encoding.writeVarString(e, name), encoding.writeVarUint(e, SYNC), encoding.writeVarUint(e, 2), encoding.writeVarUint8Array(e, update))));
		},
		acked: () => seen.some((m) => m.type === SYNC_STATUS && m.value === 1),
		closed: () => seen.some((m) => m.type === CLOSE),
		close: () => ws.terminate()
	};
}

let database: TestDatabase;
let fx: CommitteeFixture;
let store: HeldStore;
let server: Awaited<ReturnType<typeof startCollabServer>>;
let name: string;

beforeAll(async () => {
	database = await createTestDatabase();
	fx = await createCommitteeFixture(database.db);
	const [m] = await database.db
		.insert(meetings)
		.values({ committeeId: fx.committeeId, title: '顺序测试', kind: 'regular', startsAt: new Date('2026-12-01T06:00:00Z') })
		.returning();
	name = minutesDocName(m!.id);
	store = new HeldStore(database.db);
	server = await startCollabServer(database, { docStore: store, compactAfterMs: 60_000 });
});
afterAll(async () => {
	await server?.stop();
	await database?.destroy();
});

describe('the update gate and updates still being stored', () => {
	it('checks an update against the updates admitted before it even when the shadow was taken again meanwhile', { timeout: 120_000 }, async () => {
		// Keeps the document loaded, and is the member whose view must stay intact.
		const keeper = connect(server.url, name, fx.people.recorder.token);
		await waitSynced(keeper, 30_000);
		// A and then C, typed by one person: C continues A's text, so it builds on A.
		const author = new Y.Doc();
		author.clientID = 888;
		const parts: Uint8Array[] = [];
		author.on('update', (u: Uint8Array) => parts.push(u));
		author.getText('t').insert(0, '各单位');
		author.getText('t').insert(3, '汇报');
		const [a, c] = parts as [Uint8Array, Uint8Array];

		const aWrite = deferred();
		const cWrite = deferred();
		store.held.set(a, aWrite.promise);
		store.held.set(c, cWrite.promise);
		const waitedBefore = store.waited;
		const first = await rawClient(server.url, name, fx.people.convener.token);
		first.send(a);
		await waitFor(() => store.waited === waitedBefore + 1, 'A to reach its held write', 5_000);
		// What a refused update does: the shadow is thrown away, and the next update takes it
		// again from the live document, which lacks A while A is being written.
		server.collab.persistence.dropShadow(name);
		const second = await rawClient(server.url, name, fx.people.convener.token);
		second.send(c);
		await waitFor(() => store.waited === waitedBefore + 2, 'C to reach its held write', 5_000);
		// The new shadow replayed A, so C met the text it continues. Without A it would wait there
		// for A (pending), and the next update would be checked against a document lacking A —
		// the hole through which the socket fuzzer once got an update that broke the live document.
		expect(server.collab.persistence.shadowPending(name)).toBe(false);
		aWrite.resolve();
		cWrite.resolve();
		await waitFor(() => first.acked() && second.acked(), 'A and C to be acknowledged', 10_000);
		first.close();
		second.close();

		// Both are stored and in everyone's copy; the document loads from storage and syncs.
		await waitFor(() => keeper.doc.getText('t').toString().includes('各单位汇报'), 'A and C in the member copy', 10_000);
		const fromStorage = await storedDoc(database.db, name);
		expect(fromStorage.getText('t').toString()).toContain('各单位汇报');
		const late = connect(server.url, name, fx.people.member.token);
		await waitSynced(late, 30_000);
		expect(late.doc.getText('t').toString()).toContain('各单位汇报');
		late.destroy();
		keeper.destroy();
	});

	it('applies admitted updates to the live document in the order they were admitted, even when a later one is stored first', { timeout: 60_000 }, async () => {
		const author = new Y.Doc();
		author.clientID = 777;
		const parts: Uint8Array[] = [];
		author.on('update', (u: Uint8Array) => parts.push(u));
		author.getText('order').insert(0, '第一');
		author.getText('order').insert(2, '第二');
		const [one, two] = parts as [Uint8Array, Uint8Array];
		const oneWrite = deferred();
		store.held.set(one, oneWrite.promise);
		const waitedBefore = store.waited;
		const first = await rawClient(server.url, name, fx.people.convener.token);
		const second = await rawClient(server.url, name, fx.people.convener.token);
		first.send(one);
		await waitFor(() => store.waited === waitedBefore + 1, 'the first write to be held', 5_000);
		second.send(two);
		// The second is stored at once, but the shadow took it after the first: it waits its turn.
		await new Promise((r) => setTimeout(r, 500));
		expect(second.acked()).toBe(false);
		oneWrite.resolve();
		await waitFor(() => first.acked() && second.acked(), 'both acknowledgements', 10_000);
		const live = server.collab.hocuspocus.documents.get(name)!;
		expect(live.getText('order').toString()).toBe('第一第二');
		first.close();
		second.close();
	});
});
