import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAgendaItem, agendaDocName, agendaItems, itemText, readAgenda } from '../../src/lib/docs/agenda';
import { freshServerEnv } from '../helpers/serverEnv';
import { connect, waitAcked, waitSynced } from '../helpers/provider';
import { apiGet, apiToken, startServer, type ServerEnv, type ServerProcess } from '../helpers/serverProcess';

/*
 * "Acknowledged means stored": an edit the server acknowledged survives SIGKILL of the server
 * process. Each cycle: connect a fresh client, check every edit acknowledged so far is there,
 * make edits, wait for the acknowledgement of some, fire one more without waiting, SIGKILL.
 */
const CYCLES = Number(process.env.KILL_CYCLES ?? 20);
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
		const acked: string[] = [];
		let unackedSurvived = 0;

		for (let cycle = 0; cycle < CYCLES; cycle++) {
			const client = connect(server.ws, name, token);
			try {
				await waitSynced(client, 20_000);
				const titles = readAgenda(client.doc).map((i) => i.title);
				for (const t of acked) expect(titles, `cycle ${cycle}: acknowledged "${t}" lost`).toContain(t);
				if (titles.includes(`unacked-${cycle - 1}`)) unackedSurvived++;

				for (let k = 0; k < 3; k++) {
					const title = `c${cycle}-e${k}`;
					const id = addAgendaItem(client.doc, { title: '' });
					// Typed character by character, as a person would.
					const text = itemText(agendaItems(client.doc).get(id)!, 'title');
					for (const ch of title) text.insert(text.length, ch);
					await waitAcked(client, 10_000);
					acked.push(title);
				}
				addAgendaItem(client.doc, { title: `unacked-${cycle}` });
			} finally {
				await server.kill('SIGKILL');
				client.destroy();
			}
			server = await startServer(env);
		}
		const final = connect(server.ws, name, token);
		await waitSynced(final, 20_000);
		const titles = readAgenda(final.doc).map((i) => i.title);
		final.destroy();
		for (const t of acked) expect(titles).toContain(t);
		console.log(
			`kill -9: ${CYCLES} cycles, ${acked.length} acknowledged edits, 0 lost; ${unackedSurvived} in-flight edits also survived; ${((Date.now() - started) / 1000).toFixed(1)} s`
		);
	});
});
