import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshServerEnv } from '../helpers/serverEnv';
import { apiToken, startServer, type ServerProcess } from '../helpers/serverProcess';

/*
 * Sessions through the real sign-in and sign-out forms: a session planted before sign-in is
 * not the one the person ends up with (fixation), and a cookie replayed after signing out
 * opens nothing.
 */

let fresh: Awaited<ReturnType<typeof freshServerEnv>>;
let server: ServerProcess;

beforeAll(async () => {
	fresh = await freshServerEnv({ SEED: 'demo' });
	server = await startServer(fresh.env);
});
afterAll(async () => {
	await server?.kill('SIGTERM');
	await fresh?.cleanup();
});

const sessionCookie = (res: Response): string | null => {
	for (const header of res.headers.getSetCookie()) {
		const m = /^gj_session=([^;]*)/.exec(header);
		if (m) return m[1]!;
	}
	return null;
};

async function me(token: string): Promise<{ status: number; username?: string }> {
	const res = await fetch(`${server.http}/api/v1/me/items`, { headers: { authorization: `Bearer ${token}` } });
	return { status: res.status };
}

async function signInForm(username: string, password: string, planted: string | null): Promise<Response> {
	return fetch(`${server.http}/login`, {
		method: 'POST',
		headers: { accept: 'text/html', origin: server.http, 'content-type': 'application/x-www-form-urlencoded', ...(planted ? { cookie: `gj_session=${planted}` } : {}) },
		body: new URLSearchParams({ username, password }).toString(),
		redirect: 'manual'
	});
}

describe('sessions', () => {
	it('signing in issues a new session: a token planted beforehand is not upgraded to the victim', async () => {
		// The attacker's own valid session, planted in the victim's browser.
		const planted = await apiToken(server.http, 'observer', 'demo-password');
		const res = await signInForm('convener', 'demo-password', planted);
		expect(res.status).toBe(303);
		const issued = sessionCookie(res);
		expect(issued).toMatch(/^[a-z2-7]+\.[a-z2-7]+$/);
		expect(issued).not.toBe(planted);
		// The planted token is still the attacker's, with the attacker's rights only.
		const [viaPlanted, viaIssued] = await Promise.all([
			fetch(`${server.http}/api/v1/committees`, { headers: { authorization: `Bearer ${planted}` } }).then((r) => r.json() as Promise<{ items: { role: string | null }[] }>),
			fetch(`${server.http}/api/v1/committees`, { headers: { authorization: `Bearer ${issued}` } }).then((r) => r.json() as Promise<{ items: { role: string | null }[] }>)
		]);
		expect(viaPlanted.items.every((c) => c.role !== 'convener')).toBe(true);
		expect(viaIssued.items.some((c) => c.role === 'convener')).toBe(true);
	});

	it('a cookie replayed after signing out opens nothing', async () => {
		const token = sessionCookie(await signInForm('member', 'demo-password', null))!;
		expect((await me(token)).status).toBe(200);
		const out = await fetch(`${server.http}/logout`, { method: 'POST', headers: { accept: 'text/html', origin: server.http, 'content-type': 'application/x-www-form-urlencoded', cookie: `gj_session=${token}` }, body: '', redirect: 'manual' });
		expect(out.status).toBe(303);
		expect(out.headers.getSetCookie().some((c) => /^gj_session=;/.test(c) || /Max-Age=0/i.test(c))).toBe(true);
		expect((await me(token)).status).toBe(401);
		const page = await fetch(`${server.http}/archive`, { headers: { cookie: `gj_session=${token}` }, redirect: 'manual' });
		expect(page.status).toBe(303);
		expect(page.headers.get('location')).toMatch(/^\/login/);
	});
});
