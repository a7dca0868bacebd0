import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttendanceEntry, AttendanceSummary } from '../../src/lib/domain/attendance';
import { freshServerEnv } from '../helpers/serverEnv';
import { apiToken, startServer, type ServerProcess } from '../helpers/serverProcess';

/** GET/PUT /api/v1/meetings/{id}/attendance against the real server process and the demo data. */
let fresh: Awaited<ReturnType<typeof freshServerEnv>>;
let server: ServerProcess;
const tokens: Record<'convener' | 'recorder' | 'member' | 'observer' | 'outsider' | 'admin', string> = {
	convener: '',
	recorder: '',
	member: '',
	observer: '',
	outsider: '',
	admin: ''
};
let meetingId: string;
let entries: AttendanceEntry[];

interface ApiErrorBody {
	error: { code: string; message: string; key?: string };
}
interface View {
	entries: AttendanceEntry[];
	summary: AttendanceSummary;
}
interface PutAnswer {
	entry: AttendanceEntry | null;
	summary: AttendanceSummary;
}

async function call<T>(method: string, path: string, token: string | null, body?: unknown): Promise<{ status: number; json: T }> {
	const headers: Record<string, string> = {};
	if (token) headers.authorization = `Bearer ${token}`;
	if (body !== undefined) headers['content-type'] = 'application/json';
	const res = await fetch(`${server.http}${path}`, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
	const text = await res.text();
	return { status: res.status, json: (text ? JSON.parse(text) : null) as T };
}

const url = () => `/api/v1/meetings/${meetingId}/attendance`;
/** The demo committee has one convener and several members; which member does not matter here. */
const userOf = (role: 'convener' | 'member'): string => {
	const found = entries.find((e) => e.role === role);
	if (!found) throw new Error(`no ${role} in the demo committee`);
	return found.userId;
};

beforeAll(async () => {
	fresh = await freshServerEnv({ SEED: 'demo', ADMIN_PASSWORD: 'attendance-admin-1' });
	server = await startServer(fresh.env);
	for (const name of ['convener', 'recorder', 'member', 'observer'] as const) tokens[name] = await apiToken(server.http, name, 'demo-password');
	tokens.outsider = await apiToken(server.http, 's1.convener', 'demo-password');
	tokens.admin = await apiToken(server.http, 'admin', 'attendance-admin-1');
	const committees = await call<{ items: { id: string; role: string | null }[] }>('GET', '/api/v1/committees', tokens.convener);
	const committee = committees.json.items.find((c) => c.role === 'convener');
	if (!committee) throw new Error('the demo convener has no committee');
	const meetings = await call<{ items: { id: string }[] }>('GET', `/api/v1/committees/${committee.id}/meetings`, tokens.convener);
	meetingId = meetings.json.items[0]!.id;
});
afterAll(async () => {
	await server?.kill('SIGTERM');
	await fresh?.cleanup();
});

function expectError(r: { status: number; json: unknown }, status: number, code: string): string {
	expect(r.status).toBe(status);
	const body = r.json as ApiErrorBody;
	expect(body.error.code).toBe(code);
	expect(body.error.message.length).toBeGreaterThan(10);
	return body.error.message;
}

describe('/api/v1/meetings/{id}/attendance', () => {
	it('lists every member with nothing recorded, and the quorum not met', async () => {
		const r = await call<View>('GET', url(), tokens.member);
		expect(r.status).toBe(200);
		entries = r.json.entries;
		expect(entries.length).toBeGreaterThanOrEqual(5);
		expect(entries[0]?.role).toBe('convener');
		expect(entries.every((e) => e.status === null)).toBe(true);
		expect(r.json.summary).toMatchObject({ members: entries.filter((e: { role: string }) => e.role !== 'observer').length, attending: 0, quorumPercent: 50, quorumMet: false });
		expect(r.json.summary.units.length).toBeGreaterThan(0);
		expect(r.json.summary.units.every((u) => !u.represented)).toBe(true);
		// Observers and administrators outside the committee may read it too.
		expect((await call<View>('GET', url(), tokens.observer)).status).toBe(200);
		expect((await call<View>('GET', url(), tokens.admin)).status).toBe(200);
	});

	it('records attendance for the recorder and returns the entry with the new summary', async () => {
		const convener = userOf('convener');
		const r = await call<PutAnswer>('PUT', url(), tokens.recorder, { userId: convener, status: 'present' });
		expect(r.status).toBe(200);
		expect(r.json.entry).toMatchObject({ userId: convener, status: 'present' });
		expect(r.json.summary.attending).toBe(1);

		const member = userOf('member');
		const absent = await call<PutAnswer>('PUT', url(), tokens.convener, { userId: member, status: 'absent', reason: '外出培训' });
		expect(absent.json.entry).toMatchObject({ status: 'absent', reason: '外出培训' });

		const partTimer = entries.find((e) => e.role === 'part_time')!;
		const delegated = await call<PutAnswer>('PUT', url(), tokens.admin, { userId: partTimer.userId, status: 'delegated', delegateId: convener });
		expect(delegated.status).toBe(200);
		expect(delegated.json.entry).toMatchObject({ status: 'delegated', delegateId: convener });
		expect(delegated.json.summary.delegated).toEqual([{ name: partTimer.displayName, to: entries.find((e) => e.userId === convener)!.displayName }]);

		const view = await call<View>('GET', url(), tokens.observer);
		expect(view.json.summary.absent).toEqual([{ name: entries.find((e) => e.userId === member)!.displayName, reason: '外出培训' }]);
	});

	it('refuses members who are not convener or recorder with 403', async () => {
		const self = userOf('member');
		expectError(await call('PUT', url(), tokens.member, { userId: self, status: 'present' }), 403, 'forbidden');
		expectError(await call('PUT', url(), tokens.observer, { userId: self, status: 'present' }), 403, 'forbidden');
	});

	it('answers 404 to people outside the committee and for unknown meetings', async () => {
		expectError(await call('GET', url(), tokens.outsider), 404, 'not_found');
		expectError(await call('PUT', url(), tokens.outsider, { userId: userOf('member'), status: 'present' }), 404, 'not_found');
		expectError(await call('GET', '/api/v1/meetings/00000000-0000-4000-8000-000000000000/attendance', tokens.convener), 404, 'not_found');
		expectError(await call('GET', '/api/v1/meetings/not-a-meeting/attendance', tokens.convener), 404, 'not_found');
		expectError(await call('GET', url(), null), 401, 'unauthenticated');
	});

	it('answers 400 with a clear message for bad input', async () => {
		const member = userOf('member');
		const cases: [unknown, string, RegExp][] = [
			[{ userId: member }, 'invalid_body', /status is required/],
			[{ status: 'present' }, 'invalid_body', /userId is required/],
			[{ userId: member, status: 3 }, 'invalid_body', /status must be a string/],
			[{ userId: member, status: 'late' }, 'invalid_attendance', /present, remote, absent or delegated/],
			[{ userId: member, status: 'absent' }, 'invalid_attendance', /reason is required/i],
			[{ userId: member, status: 'absent', reason: '长'.repeat(201) }, 'invalid_attendance', /at most 200 characters/],
			[{ userId: member, status: 'delegated' }, 'invalid_attendance', /delegate/i],
			[{ userId: member, status: 'delegated', delegateId: member }, 'invalid_attendance', /cannot delegate to themself/],
			[{ userId: member, status: 'delegated', delegateId: '00000000-0000-4000-8000-000000000000' }, 'invalid_attendance', /another member of this committee/],
			[{ userId: '00000000-0000-4000-8000-000000000000', status: 'present' }, 'invalid_attendance', /not a member of the committee/]
		];
		for (const [body, code, message] of cases) {
			const r = await call('PUT', url(), tokens.recorder, body);
			expect(expectError(r, 400, code), JSON.stringify(body)).toMatch(message);
		}
		expectError(await call('PUT', url(), tokens.recorder, '{oops'), 400, 'invalid_json');
		expectError(await call('PUT', url(), tokens.recorder, [1, 2]), 400, 'invalid_body');
		// Nothing of that reached the record.
		const view = await call<View>('GET', url(), tokens.recorder);
		expect(view.json.entries.find((e) => e.userId === member)).toMatchObject({ status: 'absent', reason: '外出培训' });
	});
});
