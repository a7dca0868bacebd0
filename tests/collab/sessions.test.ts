import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agendaDocName } from '../../src/lib/docs/agenda';
import { createSession, SESSION_ABSOLUTE_MS, SESSION_IDLE_MS, sessionIdOf } from '../../src/lib/server/auth/session';
import { IN_MEMORY, openDatabase, type Db } from '../../src/lib/server/db';
import { sessions } from '../../src/lib/server/db/schema';
import { createCommitteeFixture, type CommitteeFixture } from '../helpers/fixtures';
import { connect, waitFor } from '../helpers/provider';
import { freshServerEnv } from '../helpers/serverEnv';
import { apiToken, startServer, type ServerProcess } from '../helpers/serverProcess';

/*
 * Sessions through the real sign-in and sign-out forms: a session planted before sign-in is
 * not the one the person ends up with (fixation), and a cookie replayed after signing out
 * opens nothing. And their lifetimes against the real server, on pages, the API and the
 * WebSocket: idle past SESSION_IDLE_MS, slid once half of it is used (the cookie re-sent with
 * the later expiry), never past SESSION_ABSOLUTE_MS from sign-in. The rows are written with
 * past dates before the server starts (the embedded database has one owner at a time).
 */

const DAY = 86_400_000;
let fresh: Awaited<ReturnType<typeof freshServerEnv>>;
let server: ServerProcess;
let fx: CommitteeFixture;
let planted: Record<'idlePage' | 'idleApi' | 'idleSocket' | 'halfUsed' | 'fresh' | 'nearCap' | 'pastCapPage' | 'pastCapApi' | 'pastCapSocket', { token: string; createdAt: Date }>;

/** A session of `userId` signed in at `createdAt` whose row says it expires at `expiresAt`. */
async function plant(db: Db, userId: string, createdAt: Date, expiresAt: Date): Promise<{ token: string; createdAt: Date }> {
	const { token } = await createSession(db, userId, createdAt);
	await db.update(sessions).set({ expiresAt }).where(eq(sessions.id, sessionIdOf(token)!));
	return { token, createdAt };
}

beforeAll(async () => {
	fresh = await freshServerEnv({ SEED: 'demo' });
	const database = await openDatabase({ databaseUrl: fresh.databaseUrl, dataDir: fresh.env.DATA_DIR ?? IN_MEMORY });
	await database.migrate();
	fx = await createCommitteeFixture(database.db);
	const user = fx.people.convener.id;
	const now = Date.now();
	const at = (ms: number) => new Date(now + ms);
	// Used last over SESSION_IDLE_MS ago: the row expired a day ago.
	const idle = () => plant(database.db, user, at(-SESSION_IDLE_MS - DAY), at(-DAY));
	planted = {
		idlePage: await idle(),
		idleApi: await idle(),
		idleSocket: await idle(),
		// Signed in 8 days ago, 6 days left: more than half the idle window used, so the next use slides it.
		halfUsed: await plant(database.db, user, at(-8 * DAY), at(6 * DAY)),
		fresh: await plant(database.db, user, at(0), at(SESSION_IDLE_MS)),
		// Signed in 30 days less 10 minutes ago, last slid two weeks ago (to 5 minutes from now):
		// the next use slides it to the cap, 10 minutes from now, not 14 days on.
		nearCap: await plant(database.db, user, at(-SESSION_ABSOLUTE_MS + 10 * 60_000), at(5 * 60_000)),
		// Signed in over 30 days ago, its row claiming days more (as if slid without the cap).
		pastCapPage: await plant(database.db, user, at(-SESSION_ABSOLUTE_MS - 60_000), at(5 * DAY)),
		pastCapApi: await plant(database.db, user, at(-SESSION_ABSOLUTE_MS - 60_000), at(5 * DAY)),
		pastCapSocket: await plant(database.db, user, at(-SESSION_ABSOLUTE_MS - 60_000), at(5 * DAY))
	};
	await database.close();
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

/** The Expires of the session cookie a response sets, or null when it sets none. */
function cookieExpiry(res: Response): Date | null {
	for (const header of res.headers.getSetCookie()) {
		if (!header.startsWith('gj_session=')) continue;
		const m = /Expires=([^;]+)/i.exec(header);
		return m ? new Date(m[1]!) : null;
	}
	return null;
}

const pageWith = (token: string) => fetch(`${server.http}/archive`, { headers: { cookie: `gj_session=${token}` }, redirect: 'manual' });
const apiWith = (token: string) => fetch(`${server.http}/api/v1/committees`, { headers: { authorization: `Bearer ${token}` } });

/** Whether the collaboration server lets the token open the fixture meeting's agenda, and the refusal's reason. */
async function socketWith(token: string): Promise<{ synced: boolean; refusals: string[] }> {
	const c = connect(server.ws, agendaDocName(fx.meetingId), token);
	try {
		await waitFor(() => c.provider.isSynced || c.refusals.length > 0, 'an answer', 15_000);
		return { synced: c.provider.isSynced, refusals: [...c.refusals] };
	} finally {
		c.destroy();
	}
}

describe('session lifetimes', () => {
	it('refuses a session idle past SESSION_IDLE_MS on pages (to sign-in), the API (401) and the WebSocket', async () => {
		const page = await pageWith(planted.idlePage.token);
		expect(page.status).toBe(303);
		expect(page.headers.get('location')).toMatch(/^\/login/);
		// And the dead cookie is cleared.
		expect(page.headers.getSetCookie().some((c) => /^gj_session=;/.test(c) || /Max-Age=0/i.test(c))).toBe(true);
		expect((await apiWith(planted.idleApi.token)).status).toBe(401);
		expect(await socketWith(planted.idleSocket.token)).toEqual({ synced: false, refusals: ['unauthenticated'] });
	});

	it('slides a session once half the idle window is used: the cookie is re-sent with the later expiry, once', async () => {
		const before = Date.now();
		const first = await pageWith(planted.halfUsed.token);
		expect(first.status).toBe(200);
		const expiry = cookieExpiry(first);
		// Cookie dates have whole seconds.
		expect(expiry?.getTime()).toBeGreaterThanOrEqual(Math.floor((before + SESSION_IDLE_MS) / 1000) * 1000);
		expect(expiry?.getTime()).toBeLessThanOrEqual(Date.now() + SESSION_IDLE_MS);
		// Slid: more than half the window left now, so the next request re-sends nothing.
		expect(cookieExpiry(await pageWith(planted.halfUsed.token))).toBeNull();
		// A session that has used less than half its window is not slid at all.
		const fresh = await pageWith(planted.fresh.token);
		expect(fresh.status).toBe(200);
		expect(cookieExpiry(fresh)).toBeNull();
		expect((await socketWith(planted.halfUsed.token)).synced).toBe(true);
	});

	it('never slides past SESSION_ABSOLUTE_MS from sign-in, and refuses a session past it whatever its row says', async () => {
		const res = await pageWith(planted.nearCap.token);
		expect(res.status).toBe(200);
		const cap = planted.nearCap.createdAt.getTime() + SESSION_ABSOLUTE_MS;
		// The re-sent cookie expires at the cap (about ten minutes away), not 14 days from now.
		expect(Math.abs(cookieExpiry(res)!.getTime() - cap)).toBeLessThan(1_000);
		expect((await apiWith(planted.nearCap.token)).status).toBe(200);

		const page = await pageWith(planted.pastCapPage.token);
		expect(page.status).toBe(303);
		expect(page.headers.get('location')).toMatch(/^\/login/);
		expect((await apiWith(planted.pastCapApi.token)).status).toBe(401);
		expect(await socketWith(planted.pastCapSocket.token)).toEqual({ synced: false, refusals: ['unauthenticated'] });
	});
});
