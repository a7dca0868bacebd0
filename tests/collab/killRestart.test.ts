import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAgendaItem, agendaDocName, agendaItems, itemText, readAgenda } from '../../src/lib/docs/agenda';
import { freshServerEnv } from '../helpers/serverEnv';
import { connect, waitFor, waitSynced } from '../helpers/provider';
import { apiGet, apiToken, startServer, type ServerEnv, type ServerProcess } from '../helpers/serverProcess';

/*
 * "Acknowledged means stored": an edit the server acknowledged survives SIGKILL of the server
 * process. Each cycle: five people connect and check that every edit acknowledged so far is
 * there, then type at their own random pace until the server is killed at a random moment.
 * An edit counts as acknowledged once its client has nothing unacknowledged left.
 */
const CYCLES = Number(process.env.KILL_CYCLES ?? 20);
const CLIENTS = 5;
const ADMIN_PASSWORD = 'kill-test-admin';

let env: ServerEnv;
let fresh: Awaited<ReturnType<typeof freshServerEnv>>;
let server: ServerProcess | null = null;

beforeAll(async () => {
	fresh = await freshServerEnv({ SEED: 'demo', ADMIN_PASSWORD });
	env = fresh.env;
});

afterAll(async () => {
	await server?.kill();
	await fresh?.cleanup();
});

describe('kill -9', () => {
	it(`loses no acknowledged update over ${CYCLES} SIGKILL/restart cycles`, async () => {
		const started = Date.now();
		server = await startServer(env);
		const token = await apiToken(server.http, 'admin', ADMIN_PASSWORD);
		const { items: committees } = await apiGet<{ items: { id: string }[] }>(server.http, token, '/api/v1/committees');
		const res = await fetch(`${server.http}/api/v1/committees/${committees[0]!.id}/meetings`, {
			method: 'POST',
			headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
			body: JSON.stringify({ title: '断电测试会议', kind: 'special', startsAt: '2026-12-01T14:30:00+08:00' })
		});
		expect(res.status).toBe(201);
		const name = agendaDocName(((await res.json()) as { id: string }).id);
		const acked = new Set<string>();
		let unackedSurvived = 0;
		let typedTotal = 0;

		for (let cycle = 0; cycle < CYCLES; cycle++) {
			const clients = Array.from({ length: CLIENTS }, () => connect(server!.ws, name, token));
			const unacked: string[][] = clients.map(() => []);
			let watcher: ReturnType<typeof setInterval> | null = null;
			const typists: Promise<void>[] = [];
			let killed = false;
			try {
				await Promise.all(clients.map((c) => waitSynced(c, 20_000)));
				for (const [i, c] of clients.entries()) {
					const titles = new Set(readAgenda(c.doc).map((item) => item.title));
					for (const t of acked) expect(titles.has(t), `cycle ${cycle}, client ${i}: acknowledged "${t}" lost`).toBe(true);
				}
				const lastCycle = new Set(readAgenda(clients[0]!.doc).map((item) => item.title));
				unackedSurvived += [...lastCycle].filter((t) => t.startsWith(`c${cycle - 1}-`) && !acked.has(t)).length;

				// Acknowledgements, as the editor sees them: nothing left unacknowledged.
				watcher = setInterval(() => {
					clients.forEach((c, i) => {
						if (c.provider.isSynced && !c.provider.hasUnsyncedChanges && unacked[i]!.length > 0) {
							for (const t of unacked[i]!.splice(0)) acked.add(t);
						}
					});
				}, 2);
				clients.forEach((c, i) => {
					typists.push(
						(async () => {
							for (let k = 0; !killed; k++) {
								const title = `c${cycle}-p${i}-e${k}`;
								const id = addAgendaItem(c.doc, { title: '' });
								// Typed character by character, as a person would.
								const text = itemText(agendaItems(c.doc).get(id)!, 'title');
								for (const ch of title) text.insert(text.length, ch);
								unacked[i]!.push(title);
								typedTotal++;
								// Sometimes the person pauses until the editor says "saved", sometimes types on.
								if (Math.random() < 0.5) await waitFor(() => killed || (c.provider.isSynced && !c.provider.hasUnsyncedChanges), 'saved', 30_000);
								else await new Promise((r) => setTimeout(r, 20 + Math.random() * 80));
							}
						})()
					);
				});
				await new Promise((r) => setTimeout(r, 200 + Math.random() * 800));
			} finally {
				await server.kill('SIGKILL');
				killed = true;
				if (watcher) clearInterval(watcher);
				await Promise.all(typists);
				for (const c of clients) c.destroy();
			}
			const restartAt = Date.now();
			server = await startServer(env);
			if (process.env.KILL_DEBUG) console.log(`cycle ${cycle}: restart ${Date.now() - restartAt} ms`);
		}
		const final = connect(server.ws, name, token);
		await waitSynced(final, 20_000);
		const titles = readAgenda(final.doc).map((i) => i.title);
		final.destroy();
		const stored = new Set(titles);
		for (const t of acked) expect(stored.has(t), `acknowledged "${t}" lost`).toBe(true);
		console.log(
			`kill -9: ${CYCLES} cycles × ${CLIENTS} clients, ${typedTotal} edits typed, ${acked.size} acknowledged, 0 lost; ${unackedSurvived} unacknowledged edits also survived; ${((Date.now() - started) / 1000).toFixed(1)} s`
		);
	}, 900_000);
});
