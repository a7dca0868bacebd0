import fc from 'fast-check';
import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DocStore } from '../../src/lib/server/docStore';
import { checkUpdate } from '../../src/lib/server/yjsUpdate';
import { createTestDatabase, type TestDatabase } from '../helpers/db';

/*
 * Convergence, property-tested in the style of Yjs' own applyRandomTests: five replicas edit a
 * text and a map at random while the network drops, delays and reorders their updates and they
 * disconnect and reconnect; a relay plays the collaboration server (every update validated by
 * the server's own check, logged, applied, fanned out). At the end everyone resyncs, and the
 * replicas, the relay and a document rebuilt from the real update log (compacted partway
 * through) must all be equal — with no inserted token appearing twice.
 */

const RUNS = Number(process.env.CONVERGENCE_RUNS ?? 5000);
const REPLICAS = 5;

type Command =
	| { kind: 'insert'; replica: number; at: number }
	| { kind: 'delete'; replica: number; at: number; length: number }
	| { kind: 'set'; replica: number; key: number; value: number }
	| { kind: 'disconnect'; replica: number }
	| { kind: 'reconnect'; replica: number }
	| { kind: 'deliver'; replica: number; pick: number }
	| { kind: 'deliverAll' };

const command: fc.Arbitrary<Command> = fc.oneof(
	{ weight: 5, arbitrary: fc.record({ kind: fc.constant('insert' as const), replica: fc.nat(REPLICAS - 1), at: fc.nat(1000) }) },
	{ weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), replica: fc.nat(REPLICAS - 1), at: fc.nat(1000), length: fc.integer({ min: 1, max: 6 }) }) },
	{ weight: 2, arbitrary: fc.record({ kind: fc.constant('set' as const), replica: fc.nat(REPLICAS - 1), key: fc.nat(3), value: fc.nat(99) }) },
	{ weight: 1, arbitrary: fc.record({ kind: fc.constant('disconnect' as const), replica: fc.nat(REPLICAS - 1) }) },
	{ weight: 1, arbitrary: fc.record({ kind: fc.constant('reconnect' as const), replica: fc.nat(REPLICAS - 1) }) },
	{ weight: 4, arbitrary: fc.record({ kind: fc.constant('deliver' as const), replica: fc.nat(REPLICAS - 1), pick: fc.nat(50) }) },
	{ weight: 1, arbitrary: fc.constant({ kind: 'deliverAll' as const }) }
);

interface Replica {
	doc: Y.Doc;
	online: boolean;
	/** Updates from the relay not yet delivered (delivery order is up to the test). */
	inbox: Uint8Array[];
	tokens: number;
}

const REMOTE = Symbol('remote');

/** One run: the relay's log, and whether everyone ended equal. */
function simulate(commands: Command[]) {
	const relay = new Y.Doc();
	const log: Uint8Array[] = [];
	const replicas: Replica[] = [];
	const accept = (update: Uint8Array, from: number) => {
		const check = checkUpdate(update);
		if (!check.ok) throw new Error(`the server's check refused an honest update: ${check.reason}`);
		if (check.empty) return;
		log.push(update);
		Y.applyUpdate(relay, update, REMOTE);
		replicas.forEach((r, i) => {
			if (i !== from && r.online) r.inbox.push(update);
		});
	};
	for (let i = 0; i < REPLICAS; i++) {
		const doc = new Y.Doc();
		const replica: Replica = { doc, online: true, inbox: [], tokens: 0 };
		doc.on('update', (update: Uint8Array, origin: unknown) => {
			if (origin !== REMOTE && replica.online) accept(update, i);
		});
		replicas.push(replica);
	}
	// A reconnect is the provider's sync: each side sends what the other's state vector lacks.
	const resync = (i: number) => {
		const r = replicas[i]!;
		r.online = true;
		r.inbox = [];
		const mine = Y.encodeStateAsUpdate(r.doc, Y.encodeStateVector(relay));
		accept(mine, i);
		Y.applyUpdate(r.doc, Y.encodeStateAsUpdate(relay, Y.encodeStateVector(r.doc)), REMOTE);
	};
	for (const c of commands) {
		const r = c.kind === 'deliverAll' ? null : replicas[c.replica]!;
		switch (c.kind) {
			case 'insert': {
				const text = r!.doc.getText('t');
				// Every character ever typed is a different one (who typed it, which of theirs, which
				// character), so content applied twice would show as a character found twice.
				// (Readable tokens like "<0.1>" were not enough: deleting across two of them can leave
				// "<0." + "1>", a token that looks like a duplicate, and it did, now and then, since
				// where concurrent inserts land depends on the documents' random client ids.)
				const k = r!.tokens++;
				text.insert(c.at % (text.length + 1), String.fromCodePoint(...[0, 1, 2].map((j) => 0x4e00 + (c.replica * 200 + k) * 3 + j)));
				break;
			}
			case 'delete': {
				const text = r!.doc.getText('t');
				if (text.length === 0) break;
				const at = c.at % text.length;
				text.delete(at, Math.min(c.length, text.length - at));
				break;
			}
			case 'set':
				r!.doc.getMap('m').set(`k${c.key}`, c.value * 10 + c.replica);
				break;
			case 'disconnect':
				r!.online = false;
				r!.inbox = [];
				break;
			case 'reconnect':
				if (!r!.online) resync(c.replica);
				break;
			case 'deliver':
				// Any queued update, not necessarily the oldest: the network reorders.
				if (r!.inbox.length > 0) {
					const [update] = r!.inbox.splice(c.pick % r!.inbox.length, 1);
					Y.applyUpdate(r!.doc, update!, REMOTE);
				}
				break;
			case 'deliverAll':
				for (const each of replicas) while (each.inbox.length > 0) Y.applyUpdate(each.doc, each.inbox.pop()!, REMOTE);
				break;
		}
	}
	// Everyone comes back; what the last ones to resync sent reaches the first through their inboxes.
	for (let i = 0; i < REPLICAS; i++) resync(i);
	for (const each of replicas) while (each.inbox.length > 0) Y.applyUpdate(each.doc, each.inbox.shift()!, REMOTE);
	return { relay, log, replicas };
}

const content = (doc: Y.Doc) => ({ text: doc.getText('t').toString(), map: doc.getMap('m').toJSON() });

let database: TestDatabase;
beforeAll(async () => {
	database = await createTestDatabase();
});
afterAll(() => database?.destroy());

describe('convergence under random edits, disconnects and reordering', () => {
	it(`${RUNS} runs: five replicas, the relay and a rebuild from the update log agree, and no content is duplicated`, async () => {
		const store = new DocStore(database.db);
		let run = 0;
		await fc.assert(
			fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 40 }), fc.nat(100), async (commands, split) => {
				const { relay, log, replicas } = simulate(commands);
				const expected = content(relay);
				for (const r of replicas) expect(content(r.doc)).toEqual(expected);
				const chars = [...expected.text];
				expect(new Set(chars).size).toBe(chars.length);
				// The log as the server stores it: appended, compacted partway, appended again.
				const name = `convergence/${run++}`;
				const cut = log.length === 0 ? 0 : split % (log.length + 1);
				await Promise.all(log.slice(0, cut).map((u) => store.append(name, u)));
				await store.compact(name);
				await Promise.all(log.slice(cut).map((u) => store.append(name, u)));
				const stored = await store.load(name);
				const rebuilt = new Y.Doc();
				if (stored.snapshot) Y.applyUpdate(rebuilt, stored.snapshot);
				for (const u of stored.updates) Y.applyUpdate(rebuilt, u);
				expect(content(rebuilt)).toEqual(expected);
				for (const d of [relay, rebuilt, ...replicas.map((r) => r.doc)]) d.destroy();
			}),
			{ numRuns: RUNS }
		);
	}, 600_000);
});
