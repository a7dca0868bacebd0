import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addAgendaItem, agendaDocName } from '../../src/lib/docs/agenda';
import { MINUTES_FIELD, minutesDocName } from '../../src/lib/docs/minutes';
import { accessFor, DOC_STATES, type DocKind, type DocState } from '../../src/lib/domain/permissions';
import { canManageProjectItems } from '../../src/lib/domain/projectStatus';
import { canManageMeetings, type CommitteeRole } from '../../src/lib/domain/roles';
import { draftBulletin, freezeBulletin } from '../../src/lib/server/bulletin';
import { IN_MEMORY, openDatabase } from '../../src/lib/server/db';
import { meetings, progressReports, projectItems, projectItemUnits, reportAttachments, writtenOpinions } from '../../src/lib/server/db/schema';
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
 * read access → 200; none → 404 for a signed-in person (the record's existence is not theirs to
 * learn: the same answer as an unknown id), 403 for one who may see the record but not make the
 * change, a redirect to sign-in for pages and 401 for the API when signed out (the rule in
 * src/lib/server/guard.ts).
 */

type Who = CommitteeRole | 'admin' | 'otherCommittee' | 'noSeat' | 'signedOut';
const WHO: Who[] = ['admin', 'convener', 'recorder', 'member', 'part_time', 'observer', 'otherCommittee', 'noSeat', 'signedOut'];
const principal = (who: Who) => ({ isAdmin: who === 'admin', role: who === 'admin' || who === 'otherCommittee' || who === 'noSeat' || who === 'signedOut' ? null : who });
/** May know the committee's meetings, records and projects exist: a seat, or administration. */
const sees = (who: Who) => who === 'admin' || principal(who).role !== null;
/** The answer to someone who may not do a thing: sign in, 404 when they may not even see it, 403 otherwise. */
const refused = (who: Who, surface: 'page' | 'api'): number[] => (who === 'signedOut' ? [surface === 'page' ? -303 : 401] : sees(who) ? [403] : [404]);

let fresh: Awaited<ReturnType<typeof freshServerEnv>>;
let server: ServerProcess;
let fx: CommitteeFixture;
let other: CommitteeFixture;
/** A meeting in each lifecycle state. */
const meetingIn = {} as Record<DocState, string>;
let recordId: string;
/** Meetings for the opinion and confirmation actions, one per state, each with one agenda item and the member's opinion on it. */
const talkIn = {} as Record<DocState, { meetingId: string; agendaItemId: string; opinionId: string }>;
/** Project items: one running, one withdrawn (its decision removed on re-finalization); fx.unitId answers for both. */
const itemIn = {} as Record<'active' | 'withdrawn', string>;
/** A report attachment on each of those items. */
const attachmentIn = {} as Record<'active' | 'withdrawn', string>;
const ITEM_DUE = '2027-06-30';
const OPINION = '同意，建议优先安排三号楼。';
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
	for (const state of DOC_STATES) {
		// Written straight into their state: opinions and confirmations look at nothing else.
		const [m] = await db.insert(meetings).values({ committeeId: fx.committeeId, title: `意见 ${state}`, kind: 'regular', startsAt: new Date('2026-11-21T06:00:00Z'), state }).returning();
		let agendaItemId = '';
		await editDocument(db, agendaDocName(m!.id), (doc) => {
			agendaItemId = addAgendaItem(doc, { title: '老旧小区加装电梯' });
		});
		const [o] = await db.insert(writtenOpinions).values({ meetingId: m!.id, agendaItemId, authorId: fx.people.member.id, body: OPINION }).returning();
		talkIn[state] = { meetingId: m!.id, agendaItemId, opinionId: o!.id };
	}
	for (const kind of ['active', 'withdrawn'] as const) {
		const [item] = await db
			.insert(projectItems)
			.values({ committeeId: fx.committeeId, title: `加装电梯 ${kind}`, level: 'community', dueDate: ITEM_DUE, withdrawnAt: kind === 'withdrawn' ? new Date() : null })
			.returning();
		await db.insert(projectItemUnits).values({ projectItemId: item!.id, unitId: fx.unitId, personName: '' });
		itemIn[kind] = item!.id;
		const [report] = await db.insert(progressReports).values({ projectItemId: item!.id, unitId: fx.unitId, month: '2026-10', done: '测试', progress: 10 }).returning();
		const data = Buffer.from('%PDF-1.4\n%%EOF\n');
		const [file] = await db
			.insert(reportAttachments)
			.values({ reportId: report!.id, filename: '现场照片.pdf', mimeType: 'application/pdf', size: data.byteLength, sha256: createHash('sha256').update(data).digest('hex'), data })
			.returning();
		attachmentIn[kind] = file!.id;
	}
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
	return accessFor(principal(who), kind, state) === 'none' ? [404] : [200];
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
						{ what: `?/transition ${transition} on ${state}`, who, expected: permitted ? [400] : refused(who, 'page'), got: () => page(who, `/meetings/${meetingIn[state]}?/transition`, 'POST', form) },
						{ what: `POST transitions ${transition} on ${state}`, who, expected: permitted ? [409] : refused(who, 'api'), got: () => api(who, `/api/v1/meetings/${meetingIn[state]}/transitions`, 'POST', form) }
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
					{ what: `?/${action} on a ${state} bulletin`, who, expected: manages ? [400] : refused(who, 'page'), got: () => page(who, `${path}?/${action}`, 'POST', { reason: '测试' }) }
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
	it('the project API: an item, its history and reports, its changes, report filing and report attachments, running and withdrawn', async () => {
		const unknown = '00000000-0000-4000-8000-000000000000';
		const cases = (['active', 'withdrawn'] as const).flatMap((kind) =>
			WHO.flatMap((who) => {
				const base = `/api/v1/projects/${itemIn[kind]}`;
				const p = principal(who);
				const reads = who === 'signedOut' ? [401] : sees(who) ? [200] : [404];
				// Changes that change nothing: the manager is told the item is unchanged, or withdrawn (409).
				const manages = who !== 'signedOut' && canManageProjectItems(p.role, p.isAdmin);
				const change = manages ? [409] : refused(who, 'api');
				// A report for a month before the item existed: the unit's part-time member and the managers reach that check (400), or the withdrawal (409).
				const reports = manages || who === 'part_time' ? (kind === 'withdrawn' ? [409] : [400]) : refused(who, 'api');
				return [
					{ what: `GET projects/:id/${kind}`, who, expected: reads, got: () => api(who, base) },
					{ what: `GET projects/:id/history/${kind}`, who, expected: reads, got: () => api(who, `${base}/history`) },
					{ what: `GET projects/:id/reports/${kind}`, who, expected: reads, got: () => api(who, `${base}/reports`) },
					{ what: `POST transitions status/${kind}`, who, expected: change, got: () => api(who, `${base}/transitions`, 'POST', { change: 'status', status: 'not_started', reason: '测试' }) },
					{ what: `POST transitions dueDate/${kind}`, who, expected: change, got: () => api(who, `${base}/transitions`, 'POST', { change: 'dueDate', dueDate: ITEM_DUE, reason: '测试' }) },
					{ what: `POST transitions units/${kind}`, who, expected: change, got: () => api(who, `${base}/transitions`, 'POST', { change: 'units', units: [{ unitId: fx.unitId, personName: '' }], reason: '测试' }) },
					{ what: `POST reports/${kind}`, who, expected: reports, got: () => api(who, `${base}/reports`, 'POST', { month: '2020-01', unitId: fx.unitId, done: '测试', progress: 10 }) },
					{ what: `GET attachments/:id/${kind}`, who, expected: reads, got: () => api(who, `/api/v1/attachments/${attachmentIn[kind]}`) },
					// The page's download link: the same answers, the sign-in redirect for the signed out, and absent under another item's id.
					{ what: `GET page attachment/${kind}`, who, expected: who === 'signedOut' ? [-303] : sees(who) ? [200] : [404], got: () => page(who, `/projects/${itemIn[kind]}/attachments/${attachmentIn[kind]}`) },
					{ what: `GET page attachment under another item/${kind}`, who, expected: who === 'signedOut' ? [-303] : [404], got: () => page(who, `/projects/${itemIn[kind === 'active' ? 'withdrawn' : 'active']}/attachments/${attachmentIn[kind]}`) },
					// An unknown id gets the same answer as another committee's item.
					...(kind === 'active'
						? [
								{ what: 'GET projects/unknown', who, expected: who === 'signedOut' ? [401] : [404], got: () => api(who, `/api/v1/projects/${unknown}`) },
								{ what: 'POST transitions/unknown', who, expected: who === 'signedOut' ? [401] : [404], got: () => api(who, `/api/v1/projects/${unknown}/transitions`, 'POST', { change: 'status', status: 'not_started', reason: '测试' }) },
								{ what: 'GET attachments/unknown', who, expected: who === 'signedOut' ? [401] : [404], got: () => api(who, `/api/v1/attachments/${unknown}`) }
							]
						: [])
				];
			})
		);
		expect(await matrix(cases)).toEqual([]);
	});

	it('written opinions (书面意见) and confirmation (确认) in every meeting state', async () => {
		const cases = DOC_STATES.flatMap((state) =>
			WHO.flatMap((who) => {
				const { meetingId, agendaItemId, opinionId } = talkIn[state];
				const path = `/meetings/${meetingId}`;
				const role = principal(who).role;
				// Opinions: any seat but an observer's, until finalized (then 400, opinion.finalized). Adding one is a real change, and harmless.
				const writes = role !== null && role !== 'observer';
				const add = writes ? (state === 'finalized' ? [400] : [200]) : refused(who, 'page');
				// Editing and deleting: the author alone; the author re-saves the same text, and deletes only where it is refused (finalized).
				const own = who === 'member' ? (state === 'finalized' ? [400] : [200]) : refused(who, 'page');
				// Confirmation: those answering for a unit or as standing members (not observers, not an administrator without a seat), only in review.
				const confirm = writes ? (state === 'review' ? [200] : [400]) : refused(who, 'page');
				return [
					{ what: `?/opinionAdd/${state}`, who, expected: add, got: () => page(who, `${path}?/opinionAdd`, 'POST', { agendaItemId, body: '同意' }) },
					{ what: `?/opinionEdit/${state}`, who, expected: own, got: () => page(who, `${path}?/opinionEdit`, 'POST', { id: opinionId, body: OPINION }) },
					...(who === 'member' && state !== 'finalized' ? [] : [{ what: `?/opinionDelete/${state}`, who, expected: own, got: () => page(who, `${path}?/opinionDelete`, 'POST', { id: opinionId }) }]),
					{ what: `?/confirm/${state}`, who, expected: confirm, got: () => page(who, `${path}?/confirm`, 'POST', { status: 'confirmed' }) }
				];
			})
		);
		expect(await matrix(cases)).toEqual([]);
	});

	it('an opinion of another committee\'s meeting, named from a meeting of one\'s own, is not found', async () => {
		const path = `/meetings/${other.meetingId}`;
		for (const action of ['opinionEdit', 'opinionDelete'] as const) {
			expect(await page('otherCommittee', `${path}?/${action}`, 'POST', { id: talkIn.review.opinionId, body: '改写' })).toBe(404);
		}
	});
});
