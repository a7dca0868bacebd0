import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { MINUTES_FIELD, minutesDocName } from '../../src/lib/docs/minutes';
import { connect, waitAcked, waitSynced } from '../helpers/provider';
import { freshServerEnv } from '../helpers/serverEnv';
import { apiToken, startServer, type ServerProcess } from '../helpers/serverProcess';

/** The JSON API against the real server process: contracts from DESIGN.md §6. */
let fresh: Awaited<ReturnType<typeof freshServerEnv>>;
let server: ServerProcess;
let convener: string;
let observer: string;
let committeeId: string;

beforeAll(async () => {
	fresh = await freshServerEnv({ SEED: 'demo', ADMIN_PASSWORD: 'api-test-admin' });
	server = await startServer(fresh.env);
	convener = await apiToken(server.http, 'convener', 'demo-password');
	observer = await apiToken(server.http, 'observer', 'demo-password');
});
afterAll(async () => {
	await server?.kill('SIGTERM');
	await fresh?.cleanup();
});

async function call(method: string, path: string, token: string | null, body?: unknown, contentType = 'application/json') {
	const headers: Record<string, string> = {};
	if (token) headers.authorization = `Bearer ${token}`;
	if (body !== undefined) headers['content-type'] = contentType;
	const res = await fetch(`${server.http}${path}`, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
	const text = await res.text();
	return { status: res.status, headers: res.headers, json: text ? (JSON.parse(text) as Record<string, any>) : null };
}

function expectError(r: { json: Record<string, any> | null }, code: string) {
	expect(r.json?.error?.code).toBe(code);
	expect(typeof r.json?.error?.message).toBe('string');
	expect(r.json?.error?.message.length).toBeGreaterThan(5);
}

describe('/api/v1', () => {
	it('describes itself at /api/v1/openapi.json', async () => {
		const r = await call('GET', '/api/v1/openapi.json', null);
		expect(r.status).toBe(200);
		expect(r.json?.openapi).toBe('3.1.0');
		expect(Object.keys(r.json?.paths ?? {})).toEqual(expect.arrayContaining(['/sessions', '/committees', '/committees/{id}/meetings', '/meetings/{id}']));
	});

	it('signs in: 201 with token and expiry; 400, 401 and 415 with clear errors', async () => {
		const ok = await call('POST', '/api/v1/sessions', null, { username: 'member', password: 'demo-password' });
		expect(ok.status).toBe(201);
		expect(ok.json?.token).toMatch(/^[a-z2-7]+\.[a-z2-7]+$/);
		expect(new Date(ok.json?.expiresAt).getTime()).toBeGreaterThan(Date.now());
		expectError(await call('POST', '/api/v1/sessions', null, { username: 'member' }), 'invalid_body');
		expectError(await call('POST', '/api/v1/sessions', null, '{not json'), 'invalid_json');
		expectError(await call('POST', '/api/v1/sessions', null, '<user>a</user>', 'application/xml'), 'unsupported_media_type');
		const wrong = await call('POST', '/api/v1/sessions', null, { username: 'member', password: 'nope' });
		expect(wrong.status).toBe(401);
		expectError(wrong, 'invalid_credentials');
	});

	it('answers 429 with Retry-After once an account is locked, and the right password changes nothing', async () => {
		for (let i = 0; i < 5; i++) await call('POST', '/api/v1/sessions', null, { username: 'recorder', password: `wrong-${i}` });
		const locked = await call('POST', '/api/v1/sessions', null, { username: 'recorder', password: 'demo-password' });
		expect(locked.status).toBe(429);
		expectError(locked, 'too_many_attempts');
		expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
	});

	it('refuses requests without a valid token', async () => {
		const r = await call('GET', '/api/v1/committees', null);
		expect(r.status).toBe(401);
		expectError(r, 'unauthenticated');
		expect((await call('GET', '/api/v1/committees', 'abc.def')).status).toBe(401);
	});

	it("lists the caller's committees with their role", async () => {
		const r = await call('GET', '/api/v1/committees', convener);
		expect(r.status).toBe(200);
		const mine = r.json?.items as { id: string; role: string; name: string }[];
		expect(mine.length).toBeGreaterThan(0);
		expect(mine.every((c) => c.role !== null)).toBe(true);
		const c = mine.find((x) => x.role === 'convener')!;
		committeeId = c.id;
		expect(c.name).toContain('大党委');
	});

	it('schedules a meeting (201 + Location), validates every field, and lists it newest first', async () => {
		const created = await call('POST', `/api/v1/committees/${committeeId}/meetings`, convener, {
			title: '二〇二七年第一次例会',
			kind: 'regular',
			startsAt: '2027-01-08T14:30:00+08:00',
			place: '党群服务中心'
		});
		expect(created.status).toBe(201);
		expect(created.headers.get('location')).toBe(`/api/v1/meetings/${created.json?.id}`);
		expect(created.json).toMatchObject({ committeeId, title: '二〇二七年第一次例会', kind: 'regular', state: 'scheduled', startsAt: '2027-01-08T06:30:00.000Z' });

		const bad = await call('POST', `/api/v1/committees/${committeeId}/meetings`, convener, { title: '', kind: 'party', startsAt: 'tomorrow', onlineLink: 'javascript:alert(1)' });
		expect(bad.status).toBe(400);
		expectError(bad, 'invalid_meeting');
		expect(Object.keys(bad.json?.error?.fields ?? {}).sort()).toEqual(['kind', 'onlineLink', 'startsAt', 'title']);

		const list = await call('GET', `/api/v1/committees/${committeeId}/meetings?pageSize=2`, convener);
		expect(list.status).toBe(200);
		expect(list.json?.items[0].id).toBe(created.json?.id);
		expect(list.json?.pageSize).toBe(2);
		expect(list.json?.total).toBeGreaterThanOrEqual(3);
		expectError(await call('GET', `/api/v1/committees/${committeeId}/meetings?page=0`, convener), 'invalid_page');

		const one = await call('GET', `/api/v1/meetings/${created.json?.id}`, convener);
		expect(one.status).toBe(200);
		expect(one.json).toMatchObject({ id: created.json?.id, agenda: [] });
	});

	it('lets only conveners, recorders and administrators schedule', async () => {
		const r = await call('POST', `/api/v1/committees/${committeeId}/meetings`, observer, { title: 'x', kind: 'regular', startsAt: '2027-01-08T14:30:00+08:00' });
		expect(r.status).toBe(403);
		expectError(r, 'forbidden');
	});

	it('hides committees and meetings from people outside them', async () => {
		const outsider = await apiToken(server.http, 's1.convener', 'demo-password');
		expect((await call('GET', `/api/v1/committees/${committeeId}/meetings`, outsider)).status).toBe(404);
		const list = await call('GET', `/api/v1/committees/${committeeId}/meetings`, convener);
		const meetingId = list.json?.items[0].id;
		expectError(await call('GET', `/api/v1/meetings/${meetingId}`, outsider), 'not_found');
		expectError(await call('GET', '/api/v1/meetings/not-a-uuid', convener), 'not_found');
	});

	it('moves a meeting through its lifecycle, refusing wrong roles, wrong states and a reopen without reason', async () => {
		const created = await call('POST', `/api/v1/committees/${committeeId}/meetings`, convener, { title: '生命周期测试', kind: 'special', startsAt: '2027-02-01T09:00:00+08:00' });
		const id = created.json?.id as string;
		const go = (token: string, body: unknown) => call('POST', `/api/v1/meetings/${id}/transitions`, token, body);
		expectError(await go(convener, { transition: 'adjourn' }), 'invalid_transition');
		expect((await go(observer, { transition: 'start' })).status).toBe(403);
		expectError(await call('POST', '/api/v1/meetings/not-a-meeting/transitions', convener, { transition: 'start' }), 'notFound');
		const wrong = await go(convener, { transition: 'finalize', override: '测试：跳过确认' });
		expect(wrong.status).toBe(409);
		expectError(wrong, 'wrongState');
		expect((await go(convener, { transition: 'start' })).json).toMatchObject({ state: 'in_progress' });
		expect((await go(convener, { transition: 'review' })).json).toMatchObject({ state: 'review' });
		expectError(await go(convener, { transition: 'finalize', override: '测试：跳过确认' }), 'emptyMinutes');
		// Write one line of minutes through a real provider, then finalize.
		const writer = connect(server.ws, minutesDocName(id), convener);
		await waitSynced(writer);
		const paragraph = new Y.XmlElement('paragraph');
		paragraph.insert(0, [new Y.XmlText('会议研究了冬季安全工作。')]);
		writer.doc.getXmlFragment(MINUTES_FIELD).push([paragraph]);
		await waitAcked(writer);
		writer.destroy();
		const final = await go(convener, { transition: 'finalize', override: '测试：跳过确认' });
		expect(final.status, JSON.stringify(final.json)).toBe(200);
		expect(final.json).toMatchObject({ state: 'finalized', finalization: { version: 1, decisions: 0 } });
		expect(final.json?.finalization.sha256).toMatch(/^[0-9a-f]{64}$/);
		expectError(await go(convener, { transition: 'reopen' }), 'reasonRequired');
		expect((await go(convener, { transition: 'reopen', reason: '补充出席情况' })).json).toMatchObject({ state: 'review' });
	});

	it('answers unknown API paths with a JSON 404', async () => {
		const r = await call('GET', '/api/v1/nothing-here', convener);
		expect(r.status).toBe(404);
		expectError(r, 'not_found');
	});

	it('signs a token out', async () => {
		const token = await apiToken(server.http, 'member', 'demo-password');
		expect((await call('DELETE', '/api/v1/sessions/current', token)).status).toBe(204);
		expect((await call('GET', '/api/v1/committees', token)).status).toBe(401);
	});
});
