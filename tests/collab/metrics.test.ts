import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAgendaItem, agendaDocName } from '../../src/lib/docs/agenda';
import { createMetrics } from '../../server/collab/metrics';
import { connect, waitAcked, waitFor, waitSynced } from '../helpers/provider';
import { freshServerEnv } from '../helpers/serverEnv';
import { apiGet, apiToken, startServer, type ServerProcess } from '../helpers/serverProcess';

/* GET /metrics on the real server: Prometheus text with the collaboration figures, for the scraper only. */

const METRICS_TOKEN = 'scrape-secret';
let fresh: Awaited<ReturnType<typeof freshServerEnv>>;
let server: ServerProcess;

beforeAll(async () => {
	fresh = await freshServerEnv({ SEED: 'demo', ADMIN_PASSWORD: 'metrics-admin', METRICS_TOKEN });
	server = await startServer(fresh.env);
});
afterAll(async () => {
	await server?.kill('SIGTERM');
	await fresh?.cleanup();
});

/** The value of a sample line such as `gongjian_updates_total 12`. */
function sample(text: string, name: string): number {
	const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
	return line ? Number(line.split(' ').pop()) : Number.NaN;
}

describe('/metrics', () => {
	it('counts connections, loaded documents, stored updates and their latency, and Node’s own figures', async () => {
		expect((await fetch(`${server.http}/metrics`)).status).toBe(403);
		expect((await fetch(`${server.http}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(403);

		const token = await apiToken(server.http, 'admin', 'metrics-admin');
		const { items } = await apiGet<{ items: { id: string }[] }>(server.http, token, '/api/v1/committees');
		const created = await fetch(`${server.http}/api/v1/committees/${items[0]!.id}/meetings`, {
			method: 'POST',
			headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
			body: JSON.stringify({ title: '指标测试会议', kind: 'special', startsAt: '2026-12-01T14:30:00+08:00' })
		});
		expect(created.status).toBe(201);
		const client = connect(server.ws, agendaDocName(((await created.json()) as { id: string }).id), token);
		try {
			await waitSynced(client);
			for (let i = 0; i < 5; i++) {
				addAgendaItem(client.doc, { title: `指标测试 ${i}` });
				await waitAcked(client);
			}
			const res = await fetch(`${server.http}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
			expect(res.status).toBe(200);
			expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
			const text = await res.text();
			expect(sample(text, 'gongjian_connections')).toBeGreaterThanOrEqual(1);
			expect(sample(text, 'gongjian_documents_loaded')).toBeGreaterThanOrEqual(1);
			expect(sample(text, 'gongjian_updates_total')).toBeGreaterThanOrEqual(5);
			expect(sample(text, 'gongjian_update_log_seconds_count')).toBeGreaterThanOrEqual(5);
			expect(sample(text, 'gongjian_store_failures_total')).toBe(0);
			expect(sample(text, 'gongjian_quarantined_updates')).toBe(0);
			expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds /m);
			expect(text).toMatch(/^process_resident_memory_bytes /m);
		} finally {
			client.destroy();
		}
	});

	it('reports quarantined updates from the database, and answers at once with the last figure when it cannot ask', async () => {
		let answer: () => Promise<number> = async () => 3;
		let asked = 0;
		const metrics = createMetrics({ connections: () => 0, documents: () => 0, quarantined: () => (asked++, answer()) });
		await waitFor(() => asked >= 1, 'the first count');
		await new Promise((r) => setTimeout(r, 10));
		expect(sample(await metrics.text(), 'gongjian_quarantined_updates')).toBe(3);
		// The database goes away: scrapes still answer, promptly, with the last known count.
		answer = () => new Promise((_, reject) => setTimeout(() => reject(new Error('connection refused')), 5_000));
		const started = performance.now();
		const text = await metrics.text();
		expect(performance.now() - started).toBeLessThan(1_000);
		expect(sample(text, 'gongjian_quarantined_updates')).toBe(3);
	});
});
