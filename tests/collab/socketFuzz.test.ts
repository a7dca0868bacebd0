import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { inArray } from 'drizzle-orm';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { createUpgradeHandler } from '../../server/collab/upgrade';
import { agendaDocName } from '../../src/lib/docs/agenda';
import { minutesDocName } from '../../src/lib/docs/minutes';
import { docName } from '../../src/lib/docs/names';
import { CLIENT_SCHEMA_VERSION, SCHEMA_PARAM } from '../../src/lib/docs/schemaVersion';
import { docQuarantine, docSnapshots, docUpdates, meetings } from '../../src/lib/server/db/schema';
import { startCollabServer } from '../helpers/collabServer';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createCommitteeFixture, type CommitteeFixture } from '../helpers/fixtures';
import { connect, waitAcked, waitFor, waitSynced } from '../helpers/provider';
import { mutate, rng } from '../helpers/mutate';
import { documentUpdates, hostileFixtures } from '../helpers/yjsCorpus';

/*
 * Mutation fuzzing of the Hocuspocus protocol against the real collaboration server (the same
 * composition root and extensions as production, in this process): authenticated sockets send
 * mutated frames of every message type — sync step 1 and 2, updates, awareness, auth,
 * stateless, query-awareness, close and unknown types — with mutated varints, lengths, document
 * names, truncated and extended payloads, seeded with real updates and the hostile fixtures.
 * Afterwards: no crash, no hang of the event loop or of a member's edits (stalls are reported
 * against the 250 ms target), every stored row and snapshot of every touched document loads
 * into a fresh Y.Doc and the merge encodes, only fuzzed documents' rows were quarantined, and a fresh provider still
 * syncs each document, loaded and again from storage. A failing input is written to
 * tests/fixtures/yjs-fuzz/found/socket-<n>-<k>.bin.
 *
 * The per-connection rate limit would close fuzzing sockets within a second, so they connect
 * through a second upgrade handler on the same Hocuspocus with the limits raised.
 */

const INPUTS = Number(process.env.SOCKET_FUZZ_INPUTS ?? 100_000);
/**
 * The run stops after this long even short of INPUTS. It is CPU-bound: most inputs are refused
 * updates, each closing its document connection (by design) so that the next input pays a new
 * authentication and connection setup besides the update gate. On this two-core machine, with the
 * server and the fuzzing sockets in this one process, PostgreSQL takes the 100,000 in about 80 s
 * (0.84 ms of CPU an input); PGlite, whose queries run in this process too, does some 450 a second
 * and stops at the cap. The figures printed at the end (inputs a second, CPU an input) are what to
 * compare between runs.
 */
const SECONDS = Number(process.env.SOCKET_FUZZ_SECONDS ?? 180);
const SOCKETS = Number(process.env.SOCKET_FUZZ_SOCKETS ?? 16);
/** Inputs between two probes. Hocuspocus drops what is queued behind a frame that closes the document, so more than one leaves some inputs unhandled. */
const BATCH = Number(process.env.SOCKET_FUZZ_BATCH ?? 1);
/**
 * The target is no stall over 250 ms; on a shared, oversubscribed two-core machine the
 * event loop stalls for several hundred ms without any fuzzing, so the test fails on a hang
 * (5 s, when a provider would give up) and reports the figures against the target.
 */
const TARGET_STALL_MS = 250;
const HANG_MS = 5_000;

let database: TestDatabase;
let fx: CommitteeFixture;
let server: Awaited<ReturnType<typeof startCollabServer>>;
let fuzzHttp: http.Server;
let fuzzUpgrade: ReturnType<typeof createUpgradeHandler>;
let fuzzUrl: string;
const meetingIds: string[] = [];

beforeAll(async () => {
	database = await createTestDatabase();
	fx = await createCommitteeFixture(database.db);
	// A meeting per socket, so each socket's documents are its own and its probe's echo unambiguous.
	for (let i = 0; i < SOCKETS; i++) {
		const [m] = await database.db
			.insert(meetings)
			.values({ committeeId: fx.committeeId, title: `模糊测试${i}`, kind: 'regular', startsAt: new Date('2026-12-01T06:00:00Z') })
			.returning();
		meetingIds.push(m!.id);
	}
	server = await startCollabServer(database);
	fuzzUpgrade = createUpgradeHandler(server.collab.hocuspocus, { origin: null, limits: { messages: 1_000_000, bytes: 1_000_000_000 } });
	fuzzHttp = http.createServer((_req, res) => res.writeHead(404).end());
	fuzzHttp.on('upgrade', (req, socket, head) => {
		if (!fuzzUpgrade.handle(req, socket, head)) socket.destroy();
	});
	await new Promise<void>((resolve) => fuzzHttp.listen(0, '127.0.0.1', resolve));
	fuzzUrl = `ws://127.0.0.1:${(fuzzHttp.address() as AddressInfo).port}/collab?${SCHEMA_PARAM}=${CLIENT_SCHEMA_VERSION}`;
});
afterAll(async () => {
	await fuzzUpgrade?.close();
	fuzzHttp?.closeAllConnections();
	await new Promise<void>((resolve) => (fuzzHttp ? fuzzHttp.close(() => resolve()) : resolve()));
	await server?.stop();
	await database?.destroy();
});


/** Real updates of the shapes the app sends (text, formatting, maps, XML like the minutes and agenda), plus the hostile fixtures. */
function seeds(): Uint8Array[] {
	const { steps, whole } = documentUpdates();
	return [...steps, whole, ...hostileFixtures().map((f) => f.bytes)];
}


const frame = (write: (e: encoding.Encoder) => void) => {
	const e = encoding.createEncoder();
	write(e);
	return encoding.toUint8Array(e);
};

/** Hocuspocus message types (the provider's MessageType). */
const SYNC = 0;
const AWARENESS = 1;
const AUTH = 2;
const QUERY_AWARENESS = 3;
const STATELESS = 5;
const CLOSE = 7;

interface Input {
	bytes: Uint8Array;
	/** The frame's document name is mangled: the server may close the whole socket (a name that is not UTF-8), or park it unauthenticated. */
	mangled: boolean;
}

/** One fuzz input for the document `name`, authenticated with `token` on this socket. */
function fuzzInput(name: string, token: string, corpus: Uint8Array[], random: () => number): Input {
	const bytes = fuzzFrame(name, token, corpus, random);
	const parsed = parse(bytes);
	return { bytes, mangled: parsed?.name !== name };
}

function fuzzFrame(name: string, token: string, corpus: Uint8Array[], random: () => number): Uint8Array {
	const seed = corpus[Math.floor(random() * corpus.length)]!;
	const payload = random() < 0.85 ? mutate(seed, random) : seed;
	const roll = random();
	// Mostly well-framed messages carrying a mutated payload: those reach the update gate.
	if (roll < 0.45) return frame((e) => (encoding.writeVarString(e, name), encoding.writeVarUint(e, SYNC), encoding.writeVarUint(e, 2), encoding.writeVarUint8Array(e, payload)));
	if (roll < 0.6) return frame((e) => (encoding.writeVarString(e, name), encoding.writeVarUint(e, SYNC), encoding.writeVarUint(e, 1), encoding.writeVarUint8Array(e, payload)));
	if (roll < 0.65) return frame((e) => (encoding.writeVarString(e, name), encoding.writeVarUint(e, SYNC), encoding.writeVarUint(e, 0), encoding.writeVarUint8Array(e, mutate(Y.encodeStateVectorFromUpdate(corpus[0]!), random))));
	if (roll < 0.72) {
		const states = mutate(frame((e) => (encoding.writeVarUint(e, 1), encoding.writeVarUint(e, Math.floor(random() * 2 ** 32)), encoding.writeVarUint(e, Math.floor(random() * 100)), encoding.writeVarString(e, JSON.stringify({ cursor: { anchor: random() }, user: { name: 'x' } })))), random);
		return frame((e) => (encoding.writeVarString(e, name), encoding.writeVarUint(e, AWARENESS), encoding.writeVarUint8Array(e, states)));
	}
	if (roll < 0.75) return frame((e) => (encoding.writeVarString(e, name), encoding.writeVarUint(e, AUTH), encoding.writeVarUint(e, Math.floor(random() * 3)), encoding.writeVarString(e, random() < 0.5 ? token : new TextDecoder().decode(mutate(new TextEncoder().encode(token), random)))));
	if (roll < 0.78) return frame((e) => (encoding.writeVarString(e, name), encoding.writeVarUint(e, STATELESS), encoding.writeVarString(e, new TextDecoder().decode(payload))));
	if (roll < 0.8) return frame((e) => (encoding.writeVarString(e, name), encoding.writeVarUint(e, QUERY_AWARENESS)));
	if (roll < 0.81) return frame((e) => (encoding.writeVarString(e, name), encoding.writeVarUint(e, CLOSE)));
	// Whole-frame mutations (below) are what mostly mangle the name; the rest keep it.
	if (roll < 0.9) return mutate(frame((e) => (encoding.writeVarString(e, name), encoding.writeVarUint(e, SYNC), encoding.writeVarUint(e, 2), encoding.writeVarUint8Array(e, seed))), random);
	if (roll < 0.93) return frame((e) => (encoding.writeVarString(e, name), encoding.writeVarUint(e, 4 + Math.floor(random() * 60)), encoding.writeUint8Array(e, payload)));
	if (roll < 0.95) {
		// A mutated document name: another committee's, a path trick, garbage, or very long.
		const names = [`${name}\u0000x`, `../${name}`, name.toUpperCase(), `minutes/${crypto.randomUUID()}`, 'x'.repeat(2000), new TextDecoder().decode(mutate(new TextEncoder().encode(name), random))];
		const other = names[Math.floor(random() * names.length)]!;
		return frame((e) => (encoding.writeVarString(e, other), encoding.writeVarUint(e, SYNC), encoding.writeVarUint(e, 2), encoding.writeVarUint8Array(e, payload)));
	}
	// The whole frame mutated: varints, lengths, the name and the type at once.
	return mutate(frame((e) => (encoding.writeVarString(e, name), encoding.writeVarUint(e, SYNC), encoding.writeVarUint(e, 2), encoding.writeVarUint8Array(e, seed))), random);
}

/** Writes a failing batch (whole frames, in order) to tests/fixtures/yjs-fuzz/found/socket-<n>-<k>.bin, to be looked at and promoted. */
function keep(n: number, frames: Uint8Array[]): void {
	const dir = path.resolve('tests/fixtures/yjs-fuzz/found');
	fs.mkdirSync(dir, { recursive: true });
	frames.forEach((input, k) => fs.writeFileSync(path.join(dir, `socket-${n}-${k}.bin`), input));
}

interface Reply {
	name: string;
	type: number;
	decoder: decoding.Decoder;
}

function parse(data: Uint8Array): Reply | null {
	try {
		const decoder = decoding.createDecoder(data);
		const name = decoding.readVarString(decoder);
		return { name, type: decoding.readVarUint(decoder), decoder };
	} catch {
		return null;
	}
}

/** Hocuspocus' answer to an authentication that succeeded (AuthMessageType.Authenticated). */
const AUTHENTICATED = 2;

/**
 * One fuzzing socket on its own document: authenticates, sends a batch of inputs, then a sync
 * step 1 probe, and waits for the server's answer to it (step 2) — or for the server closing the
 * document (it then authenticates again) or the socket (it reconnects).
 *
 * After the server closed the document, the next batch does not wait for the new authentication's
 * answer: the Auth frame goes out at once and the batch right behind it, which Hocuspocus queues
 * until the authentication is through and then handles in order (as it does for a provider's
 * first sync). A refused authentication is caught by the next probe's wait. A batch ending in a
 * frame that may close the whole socket waits for that answer first, and so does the end of the
 * run: an authentication cut off by its socket is never answered, and its document would not
 * unload for a while (see server/collab/extensions/unloadGuard.ts).
 */
class FuzzSocket {
	private ws: WebSocket | null = null;
	private listeners = new Set<(r: Reply | 'closed') => void>();
	reconnects = 0;
	reauths = 0;
	private readonly auth: Uint8Array;
	/** The answer to an Auth sent ahead of the next batch, while it has not been waited for. */
	private authAnswer: Promise<Reply | 'closed' | 'timeout'> | null = null;
	constructor(
		readonly name: string,
		token: string,
		/**
		 * The probe's state vector: that of a quiet member's copy of the document. The answer then
		 * holds what that copy lacks (little) instead of the whole document, which grows all run
		 * long and would otherwise be encoded and sent for every input.
		 */
		private readonly known: () => Uint8Array
	) {
		this.auth = frame((e) => (encoding.writeVarString(e, name), encoding.writeVarUint(e, AUTH), encoding.writeVarUint(e, 0), encoding.writeVarString(e, token)));
	}

	private wait(match: (r: Reply | 'closed') => boolean, timeoutMs: number): Promise<Reply | 'closed' | 'timeout'> {
		return new Promise((resolve) => {
			const listener = (r: Reply | 'closed') => {
				if (!match(r)) return;
				this.listeners.delete(listener);
				clearTimeout(timer);
				resolve(r);
			};
			const timer = setTimeout(() => {
				this.listeners.delete(listener);
				resolve('timeout');
			}, timeoutMs);
			this.listeners.add(listener);
		});
	}

	private async open(): Promise<void> {
		this.ws?.terminate();
		const ws = new WebSocket(fuzzUrl);
		this.ws = ws;
		ws.binaryType = 'nodebuffer';
		ws.on('message', (data: Buffer) => {
			const r = parse(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
			if (r) for (const l of [...this.listeners]) l(r);
		});
		ws.on('close', () => {
			for (const l of [...this.listeners]) l('closed');
		});
		ws.on('error', () => undefined);
		await new Promise<void>((resolve, reject) => {
			ws.once('open', () => resolve());
			ws.once('error', reject);
		});
		this.reconnects++;
		await this.authenticate();
	}

	private async authenticate(): Promise<void> {
		const answer = this.wait((r) => r === 'closed' || (r.name === this.name && r.type === AUTH), 10_000);
		this.ws!.send(this.auth);
		const r = await answer;
		if (r === 'timeout') throw new Error(`no answer to authentication for ${this.name}`);
		if (r === 'closed') return this.open();
		if (decoding.readVarUint(r.decoder) !== AUTHENTICATED) throw new Error(`authentication refused for ${this.name}`);
	}

	/** Waits for the answer to an Auth sent ahead, if any. */
	async settle(): Promise<void> {
		const answer = this.authAnswer;
		this.authAnswer = null;
		if (!answer) return;
		const r = await answer;
		if (r === 'timeout') throw new Error(`no answer to authentication for ${this.name}`);
		if (r !== 'closed' && decoding.peekVarUint(r.decoder) !== AUTHENTICATED) throw new Error(`authentication refused for ${this.name}`);
	}

	/** Sends the inputs and waits for them to be handled; resolves with the probe's round trip, or null when the document or socket was closed on the way. */
	async send(inputs: Uint8Array[], mayCloseSocket: boolean): Promise<number | null> {
		if (mayCloseSocket) await this.settle();
		else this.authAnswer = null;
		if (!this.ws || this.ws.readyState !== WebSocket.OPEN) await this.open();
		// Sync step 1 is answered at once (with step 2), in order with the inputs before it; a
		// fuzzed step 1 among them may be answered too, which at worst lets the next batch go early.
		const echoed = this.wait((r) => {
			if (r === 'closed') return true;
			if (r.name !== this.name) return false;
			if (r.type === CLOSE) return true;
			try {
				// The answer to the Auth sent ahead of this batch: only a refusal matters.
				if (r.type === AUTH) return decoding.peekVarUint(r.decoder) !== AUTHENTICATED;
				return r.type === SYNC && decoding.readVarUint(r.decoder) === 1;
			} catch {
				return false;
			}
		}, 10_000);
		const start = performance.now();
		for (const input of inputs) this.ws!.send(input);
		this.ws!.send(frame((e) => (encoding.writeVarString(e, this.name), encoding.writeVarUint(e, SYNC), encoding.writeVarUint(e, 0), encoding.writeVarUint8Array(e, this.known()))));
		const r = await echoed;
		if (r === 'timeout') throw new Error(`the server did not handle a batch on ${this.name} within 10 s`);
		if (r === 'closed') {
			await this.open();
			return null;
		}
		if (r.type === AUTH) throw new Error(`authentication refused for ${this.name}`);
		if (r.type === CLOSE) {
			this.reauths++;
			this.authAnswer = this.wait((a) => a === 'closed' || (a.name === this.name && a.type === AUTH), 10_000);
			this.ws!.send(this.auth);
			return null;
		}
		return performance.now() - start;
	}

	close(): void {
		this.ws?.terminate();
	}
}

describe('socket-level mutation fuzzing', () => {
	it(`up to ${INPUTS} mutated protocol frames in ${SECONDS} s: no crash, no hang, nothing unloadable stored`, { timeout: 600_000 }, async () => {
		const corpus = seeds();
		const names = meetingIds.flatMap((id, i) => (i % 2 === 0 ? [minutesDocName(id)] : [agendaDocName(id)]));
		// One socket on the board too, and one read-only (the observer) on minutes: other gates.
		names[SOCKETS - 2] = docName({ kind: 'board', committeeId: fx.committeeId, year: 2026 });
		const tokens = names.map((_, i) => (i === SOCKETS - 1 ? fx.people.observer.token : fx.people.convener.token));
		// A quiet member in each document keeps it loaded while a fuzzing socket's connection to
		// it is closed and opened again, as when others are in the room; otherwise every refused
		// frame would unload and reload the document.
		const keepers = names.map((n) => connect(server.url, n, fx.people.recorder.token));
		const sockets = names.map((n, i) => new FuzzSocket(n, tokens[i]!, () => Y.encodeStateVector(keepers[i]!.doc)));
		await Promise.all(keepers.map((k) => waitSynced(k, 30_000)));

		// The server logs every refused frame; keep the counts, show the first few kinds, and fail on anything else.
		const logged = new Map<string, number>();
		const unexpected: string[] = [];
		/*
		 * An update that passed the gate and then threw when Hocuspocus applied it to the live
		 * document (Hocuspocus catches it, so only its log line tells). Two causes were found this
		 * way and closed: a shadow retaken after a refusal lacked the updates still being stored
		 * (tests/collab/gateOrder.test.ts), and items naming a later item of their own client
		 * (tests/unit/gateSelfForward.test.ts). Any other is a new hole in the gate.
		 */
		const liveApplyThrew = /^Caught error while handling a Yjs update/;
		const gaps: string[] = [];
		const expectedLog = /^(closing connection|\[\w+\] |Hocuspocus: closing connection|Received an authentication message|Unable to handle message|Error: )/;
		const capture = (...args: unknown[]) => {
			const text = args.map((a) => (a instanceof Error ? `Error: ${a.message}` : String(a))).join(' ');
			const stack = args.map((a) => (a instanceof Error ? a.stack : String(a))).join(' ');
			const key = text.slice(0, 60);
			logged.set(key, (logged.get(key) ?? 0) + 1);
			if (liveApplyThrew.test(text)) gaps.push(stack.slice(0, 1200));
			else if (!expectedLog.test(text)) unexpected.push(text.slice(0, 300));
		};
		const errorSpy = vi.spyOn(console, 'error').mockImplementation(capture);
		const warnSpy = vi.spyOn(console, 'warn').mockImplementation(capture);
		const crashes: string[] = [];
		const onCrash = (err: unknown) => crashes.push(String(err));
		process.on('uncaughtException', onCrash);
		process.on('unhandledRejection', onCrash);

		// A member editing another document throughout, on the ordinary handler: their round trips are the user-visible stall.
		const member = connect(server.url, minutesDocName(fx.meetingId), fx.people.member.token);
		await waitSynced(member);
		const memberTimes: number[] = [];
		let fuzzing = true;
		const memberLoop = (async () => {
			for (let n = 0; fuzzing; n++) {
				const start = performance.now();
				member.doc.getMap('fuzz-probe').set('n', n);
				await waitAcked(member, 10_000);
				memberTimes.push(performance.now() - start);
				await new Promise((r) => setTimeout(r, 50));
			}
		})();
		const loop = monitorEventLoopDelay({ resolution: 10 });
		loop.enable();

		const random = rng(20261128);
		const batchTimes: number[] = [];
		let sent = 0;
		const started = performance.now();
		const cpuStarted = process.cpuUsage();
		const failures: { input: Uint8Array[]; problem: string }[] = [];
		try {
			await Promise.all(
				sockets.map(async (socket) => {
					while (sent < INPUTS && performance.now() - started < SECONDS * 1000) {
						// A frame with a mangled name may end the socket, and what follows it on the socket with
						// it: such a frame goes last in its batch, so every input of the batch reaches the server.
						const batch: Uint8Array[] = [];
						let last: Uint8Array | null = null;
						while (batch.length + (last ? 1 : 0) < Math.min(BATCH, INPUTS - sent)) {
							const input = fuzzInput(socket.name, tokens[sockets.indexOf(socket)]!, corpus, random);
							if (!input.mangled) batch.push(input.bytes);
							else if (!last) last = input.bytes;
						}
						if (last) batch.push(last);
						sent += batch.length;
						try {
							const took = await socket.send(batch, last !== null);
							if (took !== null) batchTimes.push(took);
						} catch (err) {
							failures.push({ input: batch, problem: (err as Error).message });
							keep(failures.length - 1, batch);
							if (failures.length > 3) throw err;
						}
					}
					await socket.settle();
				})
			);
		} finally {
			fuzzing = false;
			loop.disable();
			await memberLoop;
			for (const s of sockets) s.close();
			errorSpy.mockRestore();
			warnSpy.mockRestore();
			process.off('uncaughtException', onCrash);
			process.off('unhandledRejection', onCrash);
		}
		const seconds = (performance.now() - started) / 1000;
		// This process's CPU time (server and fuzzing client together) per input: comparable between runs on a busy machine, unlike inputs per second.
		const cpu = process.cpuUsage(cpuStarted);
		const cpuMsPerInput = (cpu.user + cpu.system) / 1000 / Math.max(1, sent);
		const stallMs = loop.max / 1e6;
		memberTimes.sort((a, b) => a - b);
		batchTimes.sort((a, b) => a - b);
		const p = (list: number[], q: number) => list[Math.min(list.length - 1, Math.floor(list.length * q))] ?? Number.NaN;

		// Every touched document: each stored row and the snapshot load into a fresh document, and their merge encodes.
		await new Promise((r) => setTimeout(r, 500));
		const touched = [...new Set(names)];
		const unloadable: string[] = [];
		const rows = await database.db.select().from(docUpdates).where(inArray(docUpdates.docName, touched));
		const snapshots = await database.db.select().from(docSnapshots).where(inArray(docSnapshots.docName, touched));
		for (const name of touched) {
			const merged = new Y.Doc();
			try {
				for (const s of snapshots.filter((s) => s.docName === name)) {
					const fresh = new Y.Doc();
					Y.applyUpdate(fresh, s.state);
					Y.encodeStateAsUpdate(fresh);
					Y.applyUpdate(merged, s.state);
				}
				for (const row of rows.filter((r) => r.docName === name)) {
					const fresh = new Y.Doc();
					Y.applyUpdate(fresh, row.update);
					Y.encodeStateAsUpdate(fresh);
					Y.applyUpdate(merged, row.update);
				}
				Y.encodeStateAsUpdate(merged);
			} catch (err) {
				unloadable.push(`${name}: ${(err as Error).message}`);
				for (const row of rows.filter((r) => r.docName === name)) failures.push({ input: [row.update], problem: `stored row of ${name} breaks loading` });
			}
		}
		// And each still syncs for a fresh provider: first as it is in memory, then, once every
		// connection has gone and the document is unloaded, as it loads from storage.
		const unsyncable: string[] = [];
		const syncFresh = async (when: string) => {
			for (const name of touched) {
				const fresh = connect(server.url, name, tokens[names.indexOf(name)] ?? fx.people.convener.token);
				await waitFor(() => fresh.provider.isSynced, `a fresh provider to sync ${name} ${when}`, 15_000).catch((err: Error) =>
					unsyncable.push(`${err.message}; refusals ${JSON.stringify(fresh.refusals)}, closes ${JSON.stringify(fresh.closes)}`)
				);
				fresh.destroy();
			}
		};
		await syncFresh('while loaded');
		for (const k of keepers) k.destroy();
		member.destroy();
		await waitFor(
			() => touched.every((n) => !server.collab.hocuspocus.documents.has(n) && !server.collab.hocuspocus.unloadingDocuments.has(n)),
			'the fuzzed documents to unload',
			20_000
		);
		await syncFresh('from storage');
		// Read last: loading from storage (just above) is where rows that break together are set aside.
		const quarantined = await database.db.select({ docName: docQuarantine.docName, reason: docQuarantine.reason }).from(docQuarantine);

		console.info(
			`[socketFuzz] ${sent} inputs in ${seconds.toFixed(1)} s (${(sent / seconds).toFixed(0)}/s, ${cpuMsPerInput.toFixed(2)} ms of CPU each) over ${SOCKETS} sockets; ` +
				`reconnects ${sockets.reduce((n, s) => n + s.reconnects, 0)}, re-authentications after a close ${sockets.reduce((n, s) => n + s.reauths, 0)}; ` +
				`batch of ${BATCH} handled in p50 ${p(batchTimes, 0.5).toFixed(0)} ms, p99 ${p(batchTimes, 0.99).toFixed(0)} ms; ` +
				`event loop worst stall ${stallMs.toFixed(0)} ms (p99 ${(loop.percentile(99) / 1e6).toFixed(0)} ms; target ${TARGET_STALL_MS} ms); ` +
				`member edit round trip p50 ${p(memberTimes, 0.5).toFixed(0)} ms, p99 ${p(memberTimes, 0.99).toFixed(0)} ms, worst ${(memberTimes.at(-1) ?? NaN).toFixed(0)} ms over ${memberTimes.length}; ` +
				`stored rows ${rows.length}, snapshots ${snapshots.length}, quarantined ${quarantined.length}, live applies that threw ${gaps.length}; unloadable ${unloadable.length}, unsyncable ${unsyncable.length}; server log lines ${JSON.stringify(Object.fromEntries([...logged].sort((a, b) => b[1] - a[1]).slice(0, 6)))}`
		);
		failures.forEach((f, i) => keep(i, f.input));
		expect(failures.map((f) => f.problem)).toEqual([]);
		expect(crashes).toEqual([]);
		expect(unexpected.slice(0, 10)).toEqual([]);
		expect(gaps.slice(0, 3), 'updates admitted by the gate that threw in the live document').toEqual([]);
		expect(unloadable).toEqual([]);
		expect(unsyncable).toEqual([]);
		// Rows that got past the gate one by one and break a document together are what the
		// quarantine is for (set aside when the document is loaded or compacted); they may only
		// come from the fuzzed documents, and those documents still load and sync (above).
		for (const q of quarantined) expect(touched, `quarantined rows of ${q.docName}`).toContain(q.docName);
		expect(sent).toBeGreaterThanOrEqual(Math.min(INPUTS, 500));
		expect(stallMs).toBeLessThan(HANG_MS);
		expect(memberTimes.at(-1) ?? Number.NaN).toBeLessThan(HANG_MS);
		// The fuzzer really reached the gate: some mutated updates were stored.
		expect(rows.length + snapshots.length).toBeGreaterThan(0);
	});
});
