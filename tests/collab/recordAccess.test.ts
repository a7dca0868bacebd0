import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshServerEnv } from '../helpers/serverEnv';
import { apiToken, startServer, type ServerProcess } from '../helpers/serverProcess';

/*
 * The archive over HTTP against the real server: the demo's finalized meetings are records;
 * the exports, the bundle and the API answer exactly those who may read the minutes.
 */
let fresh: Awaited<ReturnType<typeof freshServerEnv>>;
let server: ServerProcess;
let admin: string;
let convener: string;

interface Item {
	id: string;
	committeeId: string;
	number: string;
	year: number;
	sha256: string;
	title: string;
}

beforeAll(async () => {
	fresh = await freshServerEnv({ SEED: 'demo', ADMIN_PASSWORD: 'records-admin' });
	server = await startServer(fresh.env);
	admin = await apiToken(server.http, 'admin', 'records-admin');
	convener = await apiToken(server.http, 'convener', 'demo-password');
});
afterAll(async () => {
	await server?.kill('SIGTERM');
	await fresh?.cleanup();
});

const api = async (path: string, token: string | null) => {
	const res = await fetch(`${server.http}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
	return { status: res.status, json: (await res.json()) as Record<string, unknown> };
};
// Downloads are pages of the app: they take the session cookie, as a browser sends it.
const page = (path: string, token: string) => fetch(`${server.http}${path}`, { headers: { cookie: `gj_session=${token}` }, redirect: 'manual' });

describe('records over HTTP', () => {
	let all: Item[];
	let foreign: Item;

	it('lists the archive: the administrator sees every committee, a convener only their own', async () => {
		const a = await api('/api/v1/records', admin);
		expect(a.status).toBe(200);
		all = a.json.items as Item[];
		// The demo finalizes a meeting in three committees.
		expect(new Set(all.map((i) => i.committeeId)).size).toBeGreaterThanOrEqual(3);
		expect(all.every((i) => /^〔\d{4}〕第\d+号$/.test(i.number))).toBe(true);
		const mine = new Set(((await api('/api/v1/records', convener)).json.items as Item[]).map((i) => i.id));
		foreign = all.find((i) => !mine.has(i.id))!;
		// A record of a committee the convener does not sit on.
		expect(foreign?.committeeId).toMatch(/^[0-9a-f-]{36}$/);
		expect(mine.has(foreign!.id)).toBe(false);
		expect((await api('/api/v1/records', null)).status).toBe(401);
	});

	it('searches Chinese phrases through the API', async () => {
		const r = await api(`/api/v1/records?q=${encodeURIComponent('长者食堂')}`, admin);
		expect(r.json.total).toBe(all.length);
		const hit = (r.json.items as { snippet: { text: string; hit: boolean }[] }[])[0]!;
		expect(hit.snippet.filter((s) => s.hit).map((s) => s.text)).toEqual(['长者食堂']);
		expect((await api(`/api/v1/records?q=${encodeURIComponent('不存在的词组')}`, admin)).json.total).toBe(0);
	});

	it('serves the record, its verification and its exports to the entitled and nobody else', async () => {
		const one = await api(`/api/v1/records/${foreign.id}`, admin);
		expect(one.status).toBe(200);
		expect(one.json.sha256).toBe(foreign.sha256);
		expect((await api(`/api/v1/records/${foreign.id}/verify`, admin)).json).toMatchObject({ valid: true, sha256: foreign.sha256 });
		expect((await api(`/api/v1/records/${foreign.id}`, convener)).status).toBe(404);
		expect((await api(`/api/v1/records/${foreign.id}/verify`, convener)).status).toBe(404);
		expect((await api('/api/v1/records/not-a-uuid/verify', admin)).status).toBe(404);

		const types = { docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', pdf: 'application/pdf', md: 'text/markdown; charset=utf-8' };
		for (const [format, type] of Object.entries(types)) {
			const ok = await page(`/records/${foreign.id}/export/${format}`, admin);
			expect(ok.status).toBe(200);
			expect(ok.headers.get('content-type')).toBe(type);
			expect(ok.headers.get('content-disposition')).toMatch(new RegExp(`^attachment; filename="[^"]+\\.${format}"; filename\\*=UTF-8''`));
			expect((await ok.arrayBuffer()).byteLength).toBeGreaterThan(500);
			expect((await page(`/records/${foreign.id}/export/${format}`, convener)).status).toBe(404);
		}
		expect((await page(`/records/${foreign.id}/export/html`, admin)).status).toBe(404);
		expect((await page(`/records/${foreign.id}`, convener)).status).toBe(404);
		// Without a session: to the sign-in page.
		const anonymous = await fetch(`${server.http}/records/${foreign.id}/export/pdf`, { redirect: 'manual' });
		expect(anonymous.status).toBe(303);
	});

	it('bundles a committee year as a zip with every export, a manifest and a table of contents', async () => {
		const path = `/committees/${foreign.committeeId}/archive/${foreign.year}/bundle`;
		expect((await page(path, convener)).status).toBe(404);
		expect((await page(`/committees/${foreign.committeeId}/archive/1999/bundle`, admin)).status).toBe(404);
		const res = await page(path, admin);
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toBe('application/zip');
		const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
		const manifest = JSON.parse(strFromU8(files['manifest.json']!)) as { year: number; records: { number: string; version: number; sha256: string; files: Record<string, string> }[] };
		expect(manifest.year).toBe(foreign.year);
		const entry = manifest.records.find((r) => r.sha256 === foreign.sha256)!;
		expect(entry.number).toBe(foreign.number);
		for (const name of Object.values(entry.files)) expect(files[name]!.byteLength).toBeGreaterThan(500);
		expect(strFromU8(files['目录.pdf']!.subarray(0, 5))).toBe('%PDF-');
		expect(strFromU8(files[entry.files.md!]!)).toContain(`sha256: "${foreign.sha256}"`);
	});

	it('pages carry a Content-Security-Policy that allows no foreign or inline script and no framing', async () => {
		const res = await fetch(`${server.http}/login`);
		const csp = res.headers.get('content-security-policy') ?? '';
		expect(csp).toMatch(/default-src 'self'/);
		// SvelteKit adds a nonce (rendered pages) or hashes (prerendered) for its own boot script.
		expect(csp, csp).toMatch(/script-src 'self'( '(nonce|sha256)-[^']+')*(;|$)/);
		expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
		expect(csp).toMatch(/object-src 'none'/);
		expect(csp).toMatch(/frame-ancestors 'none'/);
	});

	it('administrators download a backup of the embedded database while it runs; others may not', async () => {
		const res = await page('/admin/backup', admin);
		if (process.env.DATABASE_URL) {
			// PostgreSQL is backed up with pg_dump.
			expect(res.status).toBe(400);
		} else {
			expect(res.status).toBe(200);
			expect(res.headers.get('content-disposition')).toMatch(/gongjian-backup-.*\.tar\.gz/);
			const bytes = new Uint8Array(await res.arrayBuffer());
			expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
		}
		expect((await page('/admin/backup', convener)).status).toBe(403);
	});
});
