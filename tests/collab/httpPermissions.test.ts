import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { agendaDocName } from '../../src/lib/docs/agenda';
import { MINUTES_FIELD, minutesDocName } from '../../src/lib/docs/minutes';
import { accessFor, DOC_STATES, type DocKind, type DocState } from '../../src/lib/domain/permissions';
import { canManageMeetings, type CommitteeRole } from '../../src/lib/domain/roles';
import { draftBulletin, freezeBulletin } from '../../src/lib/server/bulletin';
import { IN_MEMORY, openDatabase } from '../../src/lib/server/db';
import { meetings } from '../../src/lib/server/db/schema';
import { editDocument } from '../../src/lib/server/liveEdit';
import { allowedTransitions, TRANSITIONS, transitionMeeting, type Transition } from '../../src/lib/server/meetingLifecycle';
import { createCommitteeFixture, type CommitteeFixture } from '../helpers/fixtures';
import { freshServerEnv } from '../helpers/serverEnv';
import { startServer, type ServerProcess } from '../helpers/serverProcess';

/*
 * The HTTP twin of permissionsMatrix.test.ts: every role × every page, export, API endpoint and
 * lifecycle form action that reads or writes an agenda, minutes, board, bulletin or record, in
 * every lifecycle state, against the real server. The expected answer comes from the permission
 * module (accessFor) and the lifecycle's own rule (allowedTransitions), never from a second table:
 * read access → 200; none → 403 or 404 for a signed-in person (the record's existence is not
 * theirs to learn), a redirect to sign-in for pages and 401 for the API when signed out.
 */

type Who = CommitteeRole | 'admin' | 'otherCommittee' | 'noSeat' | 'signedOut';
const WHO: Who[] = ['admin', 'convener', 'recorder', 'member', 'part_time', 'observer', 'otherCommittee', 'noSeat', 'signedOut'];
const principal = (who: Who) => ({ isAdmin: who === 'admin', role: who === 'admin' || who === 'otherCommittee' || who === 'noSeat' || who === 'signedOut' ? null : who });

let fresh: Awaited<ReturnType<typeof freshServerEnv>>;
let server: ServerProcess;
let fx: CommitteeFixture;
let other: CommitteeFixture;
/** A meeting in each lifecycle state. */
const meetingIn = {} as Record<DocState, string>;
let recordId: string;
/** Bulletin periods: one drafted (edited like a meeting in progress), one frozen (finalized). */
const bulletinIn: Partial<Record<DocState, string>> = {};
const YEAR = 2026;

/** Minutes with one paragraph, so the meeting can be finalized into a record. */
async function writeMinutes(db: Parameters<typeof editDocument>[0], meetingId: string) {
	await editDocument(db, minutesDocName(meetingId), (doc) => {
		const paragraph = new Y.XmlElement('paragraph');
		paragraph.insert(0, [new Y.XmlText('会议研究了冬季安全工作。')]);
		doc.getXmlFragment(MINUTES_FIELD).push([paragraph]);
	});
}

beforeAll(async () => {
	fresh = await freshServerEnv({});
	// The records are laid down before the server starts: the embedded database has one owner at a time.
	const database = await openDatabase({ databaseUrl: fresh.databaseUrl, dataDir: fresh.env.DATA_DIR ?? IN_MEMORY });
	await database.migrate();
	const db = database.db;
	fx = await createCommitteeFixture(db);
	other = await createCommitteeFixture(db);
	const convener = { id: fx.people.convener.id, isAdmin: false };
	meetingIn.scheduled = fx.meetingId;
	for (const state of ['in_progress', 'review', 'finalized'] as const) {
		const [m] = await db
			.insert(meetings)
			.values({ committeeId: fx.committeeId, title: `${state} 例会`, kind: 'regular', startsAt: new Date('2026-11-20T06:00:00Z'), state: state === 'finalized' ? 'review' : state })
			.returning();
		meetingIn[state] = m!.id;
	}
	await writeMinutes(db, meetingIn.finalized);
	const finalized = await transitionMeeting(db, { meetingId: meetingIn.finalized, transition: 'finalize', actor: convener, override: '测试：跳过确认' });
	recordId = finalized.finalization!.record.id;
	const drafted = await draftBulletin(db, convener, { scopeId: fx.committeeId, year: YEAR, quarter: 3 }, '2026-11-28');
	bulletinIn.in_progress = drafted.period;
	const frozen = await draftBulletin(db, convener, { scopeId: fx.committeeId, year: YEAR, quarter: 2 }, '2026-11-28');
	await freezeBulletin(db, convener, frozen.id);
	bulletinIn.finalized = frozen.period;
	await database.close();
	server = await startServer(fresh.env);
}, 120_000);
afterAll(async () => {
	await server?.kill('SIGTERM');
	await fresh?.cleanup();
});

const tokenOf = (who: Who): string | null =>
	who === 'signedOut' ? null : who === 'otherCommittee' ? other.people.convener.token : who === 'noSeat' ? fx.people.outsider.token : fx.people[who].token;

/** A page or download as a browser asks for it: the session cookie, redirects not followed. */
async function page(who: Who, path: string, method = 'GET', form?: Record<string, string>): Promise<number> {
	const token = tokenOf(who);
	const headers: Record<string, string> = { accept: 'text/html', ...(token ? { cookie: `gj_session=${token}` } : {}) };
	if (form) Object.assign(headers, { origin: server.http, 'content-type': 'application/x-www-form-urlencoded' });
	const res = await fetch(`${server.http}${path}`, { method, headers, body: form ? new URLSearchParams(form).toString() : undefined, redirect: 'manual' });
	await res.arrayBuffer();
	if (res.status === 303 && res.headers.get('location')?.startsWith('/login')) return -303;
	return res.status;
}

async function api(who: Who, path: string, method = 'GET', body?: unknown): Promise<number> {
	const token = tokenOf(who);
	const res = await fetch(`${server.http}${path}`, {
		method,
		headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
		body: body ? JSON.stringify(body) : undefined
	});
	await res.arrayBuffer();
	return res.status;
}

/** What a read should answer: 200 to those with access; sign-in (-303 for a page, 401 for the API) to the signed out; 403 or 404 to the rest. */
function readVerdict(who: Who, kind: DocKind, state: DocState, surface: 'page' | 'api'): number[] {
	if (who === 'signedOut') return [surface === 'page' ? -303 : 401];
	return accessFor(principal(who), kind, state) === 'none' ? [403, 404] : [200];
}

/** Collects every (who, what) whose answer is not the expected one, asking a few at a time (none of them changes anything). */
async function matrix(cases: { what: string; who: Who; expected: number[]; got: () => Promise<number> }[]): Promise<string[]> {
	const wrong: string[] = [];
	let next = 0;
	const worker = async () => {
		while (next < cases.length) {
			const c = cases[next++]!;
			const got = await c.got();
			if (!c.expected.includes(got)) wrong.push(`${c.what} as ${c.who}: ${got}, expected ${c.expected.join(' or ')}`);
		}
	};
	await Promise.all(Array.from({ length: 4 }, worker));
	return wrong.sort();
}

describe('the permission matrix over HTTP', () => {
	for (const state of DOC_STATES) {
		it(`meeting pages, version history, comments and the meeting API while the meeting is ${state}`, async () => {
			const id = meetingIn[state];
			const cases = WHO.flatMap((who) => [
				{ what: `/meetings/${state}`, who, expected: readVerdict(who, 'agenda', state, 'page'), got: () => page(who, `/meetings/${id}`) },
				{ what: `minutes versions/${state}`, who, expected: readVerdict(who, 'minutes', state, 'page'), got: () => page(who, `/meetings/${id}/versions?doc=minutes`) },
				{ what: `agenda versions/${state}`, who, expected: readVerdict(who, 'agenda', state, 'page'), got: () => page(who, `/meetings/${id}/versions?doc=agenda`) },
				{ what: `GET /api/v1/meetings/${state}`, who, expected: readVerdict(who, 'agenda', state, 'api'), got: () => api(who, `/api/v1/meetings/${id}`) },
				{ what: `GET attendance/${state}`, who, expected: readVerdict(who, 'agenda', state, 'api'), got: () => api(who, `/api/v1/meetings/${id}/attendance`) },
				{ what: `GET comments on the minutes/${state}`, who, expected: readVerdict(who, 'minutes', state, 'api'), got: () => api(who, `/api/v1/comments?doc=${encodeURIComponent(minutesDocName(id))}`) },
				{ what: `changes since my last visit/${state}`, who, expected: readVerdict(who, 'minutes', state, 'api'), got: () => page(who, `/meetings/${id}/versions/changes`) },
				{ what: `GET comments on the agenda/${state}`, who, expected: readVerdict(who, 'agenda', state, 'api'), got: () => api(who, `/api/v1/comments?doc=${encodeURIComponent(agendaDocName(id))}`) }
			]);
			expect(await matrix(cases)).toEqual([]);
		});
	}

	/** The state a transition starts from, so the rule can be asked about the role alone. */
	const FROM: Record<Transition, DocState> = { start: 'scheduled', review: 'in_progress', finalize: 'review', reopen: 'finalized' };

	it('lifecycle form actions and API transitions: the permitted roles reach the state check, the others are refused', async () => {
		// Every transition that does not apply to the meeting's state, so nothing changes: a
		// permitted person is told the state is wrong (400 form, 409 API), anyone else is refused.
		const cases = DOC_STATES.flatMap((state) =>
			TRANSITIONS.filter((t) => FROM[t] !== state).flatMap((transition) =>
				WHO.flatMap((who) => {
					const p = principal(who);
					const permitted = who !== 'signedOut' && allowedTransitions(FROM[transition], p.role, p.isAdmin).includes(transition);
					const form = { transition, reason: '测试', override: '测试' };
					return [
						{ what: `?/transition ${transition} on ${state}`, who, expected: who === 'signedOut' ? [-303] : permitted ? [400] : [403, 404], got: () => page(who, `/meetings/${meetingIn[state]}?/transition`, 'POST', form) },
						{ what: `POST transitions ${transition} on ${state}`, who, expected: who === 'signedOut' ? [401] : permitted ? [409] : [403, 404], got: () => api(who, `/api/v1/meetings/${meetingIn[state]}/transitions`, 'POST', form) }
					];
				})
			)
		);
		expect(await matrix(cases)).toEqual([]);
		// And the permitted person really moves it (the others having changed nothing).
		expect(await page('recorder', `/meetings/${meetingIn.scheduled}?/transition`, 'POST', { transition: 'start' })).toBe(200);
		expect(await api('member', `/api/v1/meetings/${meetingIn.scheduled}`)).toBe(200);
		const state = await fetch(`${server.http}/api/v1/meetings/${meetingIn.scheduled}`, { headers: { authorization: `Bearer ${fx.people.member.token}` } }).then((r) => r.json() as Promise<{ state: string }>);
		expect(state.state).toBe('in_progress');
	});

	it('the record, its page, its DOCX, PDF and Markdown exports and the records API', async () => {
		const cases = WHO.flatMap((who) => [
			{ what: '/records/:id', who, expected: readVerdict(who, 'minutes', 'finalized', 'page'), got: () => page(who, `/records/${recordId}`) },
			...(['docx', 'pdf', 'md'] as const).map((format) => ({ what: `export ${format}`, who, expected: readVerdict(who, 'minutes', 'finalized', 'page'), got: () => page(who, `/records/${recordId}/export/${format}`) })),
			{ what: 'GET /api/v1/records/:id', who, expected: readVerdict(who, 'minutes', 'finalized', 'api'), got: () => api(who, `/api/v1/records/${recordId}`) },
			{ what: 'GET /api/v1/records/:id/verify', who, expected: readVerdict(who, 'minutes', 'finalized', 'api'), got: () => api(who, `/api/v1/records/${recordId}/verify`) }
		]);
		expect(await matrix(cases)).toEqual([]);
	});

	it('the board, its versions, changes, spreadsheet export and import page', async () => {
		const base = `/committees/${fx.committeeId}/board/${YEAR}`;
		const cases = WHO.flatMap((who) => [
			{ what: 'board page', who, expected: readVerdict(who, 'board', 'scheduled', 'page'), got: () => page(who, base) },
			{ what: 'board versions', who, expected: readVerdict(who, 'board', 'scheduled', 'page'), got: () => page(who, `${base}/versions`) },
			{ what: 'board export', who, expected: readVerdict(who, 'board', 'scheduled', 'page'), got: () => page(who, `${base}/export`) },
			{ what: 'board import page', who, expected: readVerdict(who, 'board', 'scheduled', 'page'), got: () => page(who, `${base}/import`) },
			// A JSON endpoint of the pages: the session cookie, and 401 rather than a redirect.
			{ what: 'board changes', who, expected: readVerdict(who, 'board', 'scheduled', 'api'), got: () => page(who, `${base}/changes`) },
			{ what: 'comments on the board', who, expected: readVerdict(who, 'board', 'scheduled', 'api'), got: () => api(who, `/api/v1/comments?doc=${encodeURIComponent(`board/${fx.committeeId}/${YEAR}`)}`) }
		]);
		expect(await matrix(cases)).toEqual([]);
	});

	it('a bulletin while drafted and once frozen, and its lifecycle actions', async () => {
		const cases = (['in_progress', 'finalized'] as const).flatMap((state) =>
			WHO.flatMap((who) => {
				const path = `/bulletins/${fx.committeeId}/${bulletinIn[state]}`;
				const reads = readVerdict(who, 'bulletin', state, 'page');
				// Managing is writing the draft. Refreshing a frozen bulletin and reopening a draft
				// change nothing: the permitted are told why (400), the others refused.
				const manages = accessFor(principal(who), 'bulletin', 'in_progress') === 'write';
				const action = state === 'finalized' ? 'refresh' : 'reopen';
				return [
					{ what: `bulletin page/${state}`, who, expected: reads, got: () => page(who, path) },
					{ what: `?/${action} on a ${state} bulletin`, who, expected: who === 'signedOut' ? [-303] : reads.includes(200) ? (manages ? [400] : [403]) : [403, 404], got: () => page(who, `${path}?/${action}`, 'POST', { reason: '测试' }) }
				];
			})
		);
		expect(await matrix(cases)).toEqual([]);
	});

	it('the meeting list of a committee and the scheduling API follow the committee seat', async () => {
		const cases = WHO.flatMap((who) => {
			const p = principal(who);
			const seated = who === 'admin' || p.role !== null;
			return [
				{ what: 'GET committee meetings', who, expected: who === 'signedOut' ? [401] : seated ? [200] : [404], got: () => api(who, `/api/v1/committees/${fx.committeeId}/meetings`) },
				{
					what: 'POST committee meetings (invalid body)',
					who,
					// The permitted reach validation (400); an empty title changes nothing.
					expected: who === 'signedOut' ? [401] : !seated ? [404] : canManageMeetings(p.role, p.isAdmin) ? [400] : [403],
					got: () => api(who, `/api/v1/committees/${fx.committeeId}/meetings`, 'POST', { title: '', kind: 'regular', startsAt: 'x' })
				}
			];
		});
		expect(await matrix(cases)).toEqual([]);
	});
});
