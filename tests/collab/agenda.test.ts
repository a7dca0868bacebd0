import fs from 'node:fs';
import path from 'node:path';
import * as encoding from 'lib0/encoding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import WebSocket from 'ws';
import { addAgendaItem, agendaDocName, agendaItems, itemText, readAgenda } from '../../src/lib/docs/agenda';
import { admitToShadow, shadowOf } from '../../src/lib/server/yjsUpdate';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createCommitteeFixture, type CommitteeFixture } from '../helpers/fixtures';
import { removeMember } from '../../src/lib/server/committee';
import { resetPassword } from '../../src/lib/server/userAdmin';
import { startCollabServer } from '../helpers/collabServer';
import { storedDoc } from '../helpers/storage';
import { connect, waitAcked, waitFor, waitSynced, type TestClient } from '../helpers/provider';

let database: TestDatabase;
let server: Awaited<ReturnType<typeof startCollabServer>>;
let fx: CommitteeFixture;
let name: string;
const clients: TestClient[] = [];

function client(token: string | null, docName = name): TestClient {
	const c = connect(server.url, docName, token);
	clients.push(c);
	return c;
}

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

/** The document as the database holds it (snapshot + log), independent of compaction. */
const stored = () => storedDoc(database.db, name);
const storedVector = async () => Buffer.from(Y.encodeStateVector(await stored())).toString('hex');

/** Sends a raw sync message carrying `payload` as a Yjs update, bypassing the provider's encoder. */
function sendRawUpdate(c: TestClient, payload: Uint8Array) {
	const encoder = encoding.createEncoder();
	encoding.writeVarString(encoder, name);
	encoding.writeVarUint(encoder, 0); // MessageType.Sync
	encoding.writeVarUint(encoder, 2); // messageYjsUpdate
	encoding.writeVarUint8Array(encoder, payload);
	c.socket.send(encoding.toUint8Array(encoder));
}

/** Whether an update applies to an empty document that then encodes (the gate's empty-document pass, without its other rules). */
function appliesAlone(update: Uint8Array): boolean {
	const doc = new Y.Doc();
	try {
		Y.applyUpdate(doc, update);
		Y.encodeStateAsUpdate(doc);
		return true;
	} catch {
		return false;
	} finally {
		doc.destroy();
	}
}

describe('live agenda over real providers', () => {
	it('two editors converge, keystrokes in the same field merged', async () => {
		const a = client(fx.people.convener.token);
		const b = client(fx.people.member.token);
		await Promise.all([waitSynced(a), waitSynced(b)]);
		const id = addAgendaItem(a.doc, { title: '传达上级精神', presenter: '张书记', durationMinutes: 15 });
		await waitFor(() => readAgenda(b.doc).some((i) => i.id === id), 'item to reach b');
		const itemA = agendaItems(a.doc).get(id)!;
		const itemB = agendaItems(b.doc).get(id)!;
		// Both type into the same title at the same time.
		itemText(itemA, 'title').insert(0, '一、');
		itemText(itemB, 'title').insert(itemText(itemB, 'title').length, '（会议纪要）');
		await Promise.all([waitAcked(a), waitAcked(b)]);
		await waitFor(() => readAgenda(a.doc)[0]?.title === readAgenda(b.doc)[0]?.title, 'convergence');
		expect(readAgenda(a.doc)[0]!.title).toBe('一、传达上级精神（会议纪要）');
		addAgendaItem(b.doc, { title: '研究需求清单' });
		await waitAcked(b);
		await waitFor(() => readAgenda(a.doc).length === 2, 'second item');
		expect(readAgenda(await stored()).map((i) => i.title)).toEqual(['一、传达上级精神（会议纪要）', '研究需求清单']);
	});

	it("applies and stores nothing of an observer's edits", async () => {
		const observer = client(fx.people.observer.token);
		const writer = client(fx.people.recorder.token);
		await Promise.all([waitSynced(observer), waitSynced(writer)]);
		expect(observer.provider.authorizedScope).toBe('readonly');
		const before = await storedVector();
		addAgendaItem(observer.doc, { title: '列席者不应写入' });
		await new Promise((r) => setTimeout(r, 300));
		expect(readAgenda(writer.doc).some((i) => i.title === '列席者不应写入')).toBe(false);
		expect(await storedVector()).toBe(before);
		// A fresh reader loads from the database: nothing of it there either.
		const fresh = client(fx.people.convener.token);
		await waitSynced(fresh);
		expect(readAgenda(fresh.doc).some((i) => i.title === '列席者不应写入')).toBe(false);
	});

	it('refuses outsiders and unauthenticated clients with a clear reason', async () => {
		const outsider = client(fx.people.outsider.token);
		const anonymous = client('not-a-token');
		const unknownDoc = client(fx.people.convener.token, 'agenda/not-a-uuid');
		const missing = client(fx.people.convener.token, agendaDocName('00000000-0000-4000-8000-000000000000'));
		await waitFor(() => outsider.refusals.length > 0, 'outsider refusal');
		await waitFor(() => anonymous.refusals.length > 0, 'anonymous refusal');
		await waitFor(() => unknownDoc.refusals.length > 0, 'unknown document refusal');
		await waitFor(() => missing.refusals.length > 0, 'missing meeting refusal');
		expect(outsider.refusals[0]).toBe('forbidden');
		expect(anonymous.refusals[0]).toBe('unauthenticated');
		expect(unknownDoc.refusals[0]).toBe('unknown-document');
		expect(missing.refusals[0]).toBe('not-found');
		expect(outsider.provider.isSynced).toBe(false);
	});

	it('refuses a client built for an older document schema, and one that does not say', async () => {
		const old = connect(server.url, name, fx.people.convener.token, { schema: 0 });
		clients.push(old);
		await waitFor(() => old.refusals.length > 0, 'outdated refusal');
		expect(old.refusals[0]).toBe('outdated-client');
		const silent = connect(server.url, name, fx.people.convener.token, { schema: null });
		clients.push(silent);
		await waitFor(() => silent.refusals.length > 0, 'refusal of a client without a schema version');
		expect(silent.refusals[0]).toBe('outdated-client');
		expect(silent.provider.isSynced).toBe(false);
	});

	it('lets the administrator edit any committee document', async () => {
		const admin = client(fx.people.admin.token);
		await waitSynced(admin);
		expect(admin.provider.authorizedScope).toBe('read-write');
	});

	for (const fixture of ['malformed', 'poison-v1.bin', 'hang-v2.bin']) {
		it(`closes the connection that sends a ${fixture} update, stores nothing, others keep working`, async () => {
			const bad = client(fx.people.member.token);
			const good = client(fx.people.convener.token);
			const watcher = client(fx.people.recorder.token);
			await Promise.all([waitSynced(bad), waitSynced(good), waitSynced(watcher)]);
			const before = await storedVector();
			const payload =
				fixture === 'malformed'
					? new Uint8Array([1, 2, 3, 4, 5, 200, 200, 200])
					: new Uint8Array(fs.readFileSync(path.resolve('..', 'shared', 'fixtures', 'yjs', fixture)));
			sendRawUpdate(bad, payload);
			await waitFor(() => bad.closes.some((c) => c.reason === 'invalid-update'), 'bad client to be closed', 5000);
			expect(await storedVector()).toBe(before);
			const id = addAgendaItem(good.doc, { title: `坏消息之后仍可编辑 ${fixture}` });
			await waitAcked(good);
			await waitFor(() => readAgenda(watcher.doc).some((i) => i.id === id), 'good edit to reach watcher');
			expect(readAgenda(await stored()).some((i) => i.id === id)).toBe(true);
		});
	}

	it('refuses an update that applies alone to an empty document but would break this document (found by fuzzing)', async () => {
		const bad = client(fx.people.member.token);
		const watcher = client(fx.people.recorder.token);
		await Promise.all([waitSynced(bad), waitSynced(watcher)]);
		// Real updates of this client, then mutations of them until one applies and encodes alone
		// on an empty document yet breaks the document as the server holds it (seeded: the same
		// search every run). Which stage of the gate refuses it does not matter here (today's
		// finds name a later item of their own client, refused at decoding): the server must.
		const own: Uint8Array[] = [];
		bad.doc.on('update', (u: Uint8Array, origin: unknown) => {
			if (origin !== bad.provider) own.push(u);
		});
		for (let i = 0; i < 3; i++) addAgendaItem(bad.doc, { title: `模糊测试底稿 ${i}`, presenter: '测试' });
		await waitAcked(bad);
		let seed = 7;
		const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
		let forged: Uint8Array | null = null;
		for (let i = 0; i < 200_000 && !forged; i++) {
			const bytes = Array.from(own[Math.floor(random() * own.length)]!);
			const at = Math.floor(random() * bytes.length);
			if (random() < 0.5) bytes[at] = Math.floor(random() * 256);
			else bytes.splice(at, 1 + Math.floor(random() * 4));
			const candidate = new Uint8Array(bytes);
			if (!appliesAlone(candidate)) continue;
			const shadow = shadowOf(bad.doc);
			if (!admitToShadow(shadow, candidate).ok) forged = candidate;
			shadow.destroy();
		}
		expect(forged, 'a forged update to try').not.toBeNull();
		const before = await storedVector();
		sendRawUpdate(bad, forged!);
		await waitFor(() => bad.closes.some((c) => c.reason === 'invalid-update'), 'the forging client to be closed', 5000);
		expect(await storedVector()).toBe(before);
		// The document still loads, from storage and for a new client, and takes honest edits.
		const fresh = client(fx.people.convener.token);
		await waitSynced(fresh);
		const id = addAgendaItem(fresh.doc, { title: '伪造更新之后仍可编辑' });
		await waitAcked(fresh);
		await waitFor(() => readAgenda(watcher.doc).some((i) => i.id === id), 'the honest edit to reach the watcher');
		expect(readAgenda(await stored()).some((i) => i.id === id)).toBe(true);
	});

	it('closes a socket that sends a frame over 1 MiB with 1009, and keeps serving others', async () => {
		const big = new Promise<number>((resolve) => {
			const ws = new WebSocket(server.url);
			ws.on('open', () => ws.send(Buffer.alloc(1024 * 1024 + 1, 1)));
			ws.on('close', (code) => resolve(code));
			ws.on('error', () => undefined);
		});
		expect(await big).toBe(1009);
		const still = client(fx.people.convener.token);
		await waitSynced(still);
	});

	it('closes an authenticated connection that sends more than 200 messages a second with 1008 rate-limited', async () => {
		const flooder = client(fx.people.convener.token);
		await waitSynced(flooder);
		// Harmless, valid messages (sync step 1: "what do you have?"), only too many of them.
		const frame = encoding.encode((e) => {
			encoding.writeVarString(e, name);
			encoding.writeVarUint(e, 0);
			encoding.writeVarUint(e, 0);
			encoding.writeVarUint8Array(e, Y.encodeStateVector(flooder.doc));
		});
		const socket = flooder.socket.webSocket!;
		for (let i = 0; i < 400; i++) socket.send(frame);
		await waitFor(() => flooder.closes.some((c) => c.code === 1008 && c.reason === 'rate-limited'), 'the rate-limit close', 10_000);
	});

	it('closes a connection that floods messages before authenticating with 1008, and keeps serving others', async () => {
		const watcher = client(fx.people.recorder.token);
		await waitSynced(watcher);
		const flood = new Promise<{ code: number; reason: string }>((resolve) => {
			const ws = new WebSocket(server.url);
			ws.on('open', () => {
				for (let i = 0; i < 1000; i++) ws.send(Buffer.from([0, 0, 0, 0, 0, 0, 0, 0]));
			});
			ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
			ws.on('error', () => undefined);
		});
		// The cap on what may arrive before authentication (100 messages) comes before the rate limit.
		expect(await flood).toEqual({ code: 1008, reason: 'pre-auth-limit' });
		const writer = client(fx.people.convener.token);
		await waitSynced(writer);
		const id = addAgendaItem(writer.doc, { title: '洪水之后仍可编辑' });
		await waitAcked(writer);
		await waitFor(() => readAgenda(watcher.doc).some((i) => i.id === id), 'edit after the flood to reach the watcher');
	});

	it('checks Origin on browser upgrades and accepts the cookie only from an allowed Origin', async () => {
		const tryUpgrade = (headers: Record<string, string>) =>
			new Promise<number | 'open'>((resolve) => {
				const ws = new WebSocket(server.url, { headers });
				ws.on('open', () => {
					ws.close();
					resolve('open');
				});
				ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
				ws.on('error', () => undefined);
			});
		expect(await tryUpgrade({ origin: 'http://evil.test', cookie: `gj_session=${fx.people.convener.token}` })).toBe(403);
		expect(await tryUpgrade({ origin: 'http://app.test' })).toBe('open');
	});

	it('removing someone from the committee closes their open documents at once; they are refused on reconnecting', async () => {
		const other = await createCommitteeFixture(database.db);
		const name = agendaDocName(other.meetingId);
		const member = connect(server.url, name, other.people.member.token);
		clients.push(member);
		await waitSynced(member);
		expect(member.provider.authorizedScope).toBe('read-write');
		await removeMember(database.db, { committeeId: other.committeeId, userId: other.people.member.id, actorId: other.people.admin.id });
		await waitFor(() => member.closes.some((c) => c.reason === 'access-changed'), 'the removed member to be disconnected', 5000);
		await waitFor(() => member.refusals.length > 0, 'the removed member to be refused on reconnecting', 5000);
		// A password reset ends sessions and the connections they opened.
		const recorder = connect(server.url, name, other.people.recorder.token);
		clients.push(recorder);
		await waitSynced(recorder);
		await resetPassword(database.db, other.people.recorder.id, other.people.admin.id);
		await waitFor(() => recorder.closes.some((c) => c.reason === 'access-changed'), 'the reset user to be disconnected', 5000);
		await waitFor(() => recorder.refusals.length > 0, 'the reset user to be refused', 5000);
	});
});
