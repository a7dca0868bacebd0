import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAgendaItem, agendaDocName, agendaItems, itemText, readAgenda } from '../../src/lib/docs/agenda';
import { connect, waitAcked, waitFor, waitSynced } from '../helpers/provider';
import { freshServerEnv, dropDatabase } from '../helpers/serverEnv';
import { apiGet, apiToken, startServer, type ServerProcess } from '../helpers/serverProcess';

const ADMIN_PASSWORD = 'shutdown-admin';
let fresh: Awaited<ReturnType<typeof freshServerEnv>>;
let server: ServerProcess | null = null;

beforeAll(async () => {
	fresh = await freshServerEnv({ SEED: 'demo', ADMIN_PASSWORD });
});
afterAll(async () => {
	await server?.kill();
	await fresh?.cleanup();
});

async function newMeeting(s: ServerProcess, token: string): Promise<string> {
	const { items } = await apiGet<{ items: { id: string }[] }>(s.http, token, '/api/v1/committees');
	const res = await fetch(`${s.http}/api/v1/committees/${items[0]!.id}/meetings`, {
		method: 'POST',
		headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
		body: JSON.stringify({ title: '停机测试', kind: 'regular', startsAt: '2026-12-02T09:00:00+08:00' })
	});
	return ((await res.json()) as { id: string }).id;
}

describe('process lifecycle', () => {
	it('answers /healthz once migrated', async () => {
		server = await startServer(fresh.env);
		const res = await fetch(`${server.http}/healthz`);
		expect(res.status).toBe(200);
		expect(await res.json()).toMatchObject({ status: 'ok' });
	});

	it('SIGTERM while people type: exits 0 within 5 s with every acknowledged edit stored', async () => {
		server ??= await startServer(fresh.env);
		const token = await apiToken(server.http, 'admin', ADMIN_PASSWORD);
		const name = agendaDocName(await newMeeting(server, token));
		const writers = [connect(server.ws, name, token), connect(server.ws, name, token)];
		await Promise.all(writers.map((w) => waitSynced(w)));
		const ids = writers.map((w, i) => addAgendaItem(w.doc, { title: `writer${i}:` }));
		await Promise.all(writers.map((w) => waitAcked(w)));
		// What each writer showed at its last moment with nothing unacknowledged: all of it is stored.
		const titleOf = (i: number) => readAgenda(writers[i]!.doc).find((item) => item.id === ids[i])?.title ?? '';
		const acked = writers.map((_, i) => titleOf(i));
		// Type in bursts, waiting for the acknowledgement after each (a loaded machine may never
		// reach zero unacknowledged changes while typing without pause), then keep typing.
		let typing = true;
		const loops = writers.map(async (w, i) => {
			let n = 0;
			while (typing) {
				const text = itemText(agendaItems(w.doc).get(ids[i]!)!, 'title');
				text.insert(text.length, String(n++ % 10));
				if (n % 5 === 0 && n <= 20) {
					await waitAcked(w, 10_000);
					acked[i] = titleOf(i);
				}
				await new Promise((r) => setTimeout(r, 15));
			}
		});
		await waitFor(() => acked.every((t, i) => t.length >= `writer${i}:`.length + 20), 'four acknowledged bursts per writer', 30_000);
		await new Promise((r) => setTimeout(r, 700));
		const signalled = Date.now();
		const exit = server.kill('SIGTERM');
		const code = await exit;
		const took = Date.now() - signalled;
		typing = false;
		await Promise.all(loops);
		for (const w of writers) w.destroy();
		if (code !== 0) console.log(server.output());
		expect(code).toBe(0);
		expect(took).toBeLessThan(5000);
		console.log(`graceful shutdown under load: exit ${code} after ${took} ms`);

		server = await startServer(fresh.env);
		const reader = connect(server.ws, name, token);
		await waitSynced(reader);
		const stored = readAgenda(reader.doc).map((i) => i.title);
		reader.destroy();
		// Every title acknowledged before SIGTERM is there, at least as long as it was then.
		acked.forEach((t, i) => {
			expect(t.length, `writer ${i} had edits acknowledged while typing`).toBeGreaterThan(`writer${i}:`.length);
			expect(stored.some((s) => s.startsWith(t))).toBe(true);
		});
	});

	it.runIf(Boolean(process.env.DATABASE_URL))('answers 503 on /healthz while the database is unreachable, without exiting', async () => {
		server ??= await startServer(fresh.env);
		await dropDatabase(fresh.databaseUrl!);
		const res = await fetch(`${server.http}/healthz`);
		expect(res.status).toBe(503);
		expect(((await res.json()) as { status: string }).status).toBe('unavailable');
		expect(server.child.exitCode).toBeNull();
	});
});
