import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agendaDocName } from '../../src/lib/docs/agenda';
import { minutesDocName } from '../../src/lib/docs/minutes';
import { docName } from '../../src/lib/docs/names';
import { accessFor, DOC_STATES, type Access, type DocState } from '../../src/lib/domain/permissions';
import type { CommitteeRole } from '../../src/lib/domain/roles';
import { draftBulletin, freezeBulletin } from '../../src/lib/server/bulletin';
import { meetings } from '../../src/lib/server/db/schema';
import { startCollabServer } from '../helpers/collabServer';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createCommitteeFixture, type CommitteeFixture } from '../helpers/fixtures';
import { connect, waitFor, type TestClient } from '../helpers/provider';

/*
 * Every role × document kind × lifecycle state, over the WebSocket: the connection gets exactly
 * what the permission module says — refused for none, read-only for read and comment, read-write
 * for write — and forged document names are refused.
 */

let database: TestDatabase;
let server: Awaited<ReturnType<typeof startCollabServer>>;
let fx: CommitteeFixture;
let other: CommitteeFixture;

beforeAll(async () => {
	database = await createTestDatabase();
	fx = await createCommitteeFixture(database.db);
	other = await createCommitteeFixture(database.db);
	server = await startCollabServer(database);
});
afterAll(async () => {
	await server?.stop();
	await database?.destroy();
});

type Who = CommitteeRole | 'admin' | 'outsider';
const WHO: Who[] = ['convener', 'recorder', 'member', 'part_time', 'observer', 'admin', 'outsider'];
const principal = (who: Who) => ({ isAdmin: who === 'admin', role: who === 'admin' || who === 'outsider' ? null : who });

/** What one connection was given: 'none' when refused, else its scope. */
async function granted(token: string, name: string): Promise<'none' | 'readonly' | 'read-write'> {
	const c: TestClient = connect(server.url, name, token);
	try {
		// A name the server cannot even route (a NUL byte) gets no answer at all: never synced is no access.
		await waitFor(() => c.refusals.length > 0 || c.closes.length > 0 || c.provider.isSynced, `an answer for ${name}`, 3_000).catch(() => undefined);
		if (!c.provider.isSynced) return 'none';
		return c.provider.authorizedScope === 'read-write' ? 'read-write' : 'readonly';
	} finally {
		c.destroy();
	}
}
const expected = (access: Access) => (access === 'none' ? 'none' : access === 'write' ? 'read-write' : 'readonly');

describe('the permission matrix over the WebSocket', () => {
	for (const state of DOC_STATES) {
		it(`agenda and minutes while the meeting is ${state}`, async () => {
			await database.db.update(meetings).set({ state }).where(eq(meetings.id, fx.meetingId));
			const wrong: string[] = [];
			for (const kind of ['agenda', 'minutes'] as const) {
				const name = kind === 'agenda' ? agendaDocName(fx.meetingId) : minutesDocName(fx.meetingId);
				for (const who of WHO) {
					const want = expected(accessFor(principal(who), kind, state));
					const got = await granted(fx.people[who].token, name);
					if (got !== want) wrong.push(`${kind}/${state}/${who}: ${got}, should be ${want}`);
				}
			}
			expect(wrong).toEqual([]);
		});
	}

	it('the board (open all year)', async () => {
		const wrong: string[] = [];
		const name = docName({ kind: 'board', committeeId: fx.committeeId, year: 2026 });
		for (const who of WHO) {
			const want = expected(accessFor(principal(who), 'board', 'scheduled'));
			const got = await granted(fx.people[who].token, name);
			if (got !== want) wrong.push(`board/${who}: ${got}, should be ${want}`);
		}
		expect(wrong).toEqual([]);
	});

	it('a bulletin while drafted and once frozen', async () => {
		const row = await draftBulletin(database.db, { id: fx.people.convener.id, isAdmin: false }, { scopeId: fx.committeeId, year: 2026, quarter: 4 }, '2026-11-28');
		const check = async (state: DocState) => {
			const wrong: string[] = [];
			for (const who of WHO) {
				const want = expected(accessFor(principal(who), 'bulletin', state));
				const got = await granted(fx.people[who].token, row.docName);
				if (got !== want) wrong.push(`bulletin/${state}/${who}: ${got}, should be ${want}`);
			}
			return wrong;
		};
		expect(await check('in_progress')).toEqual([]);
		await freezeBulletin(database.db, { id: fx.people.convener.id, isAdmin: false }, row.id);
		expect(await check('finalized')).toEqual([]);
	});

	it('refuses forged document names: other committees’ ids, unknown kinds, path tricks, very long names', async () => {
		const token = fx.people.convener.token;
		const names = [
			agendaDocName(other.meetingId),
			docName({ kind: 'board', committeeId: other.committeeId, year: 2026 }),
			`secrets/${fx.meetingId}`,
			`agenda/${fx.meetingId}/../../minutes/${other.meetingId}`,
			`../agenda/${fx.meetingId}`,
			`agenda/${fx.meetingId.toUpperCase()}`,
			`minutes/${fx.meetingId}\u0000`,
			`bulletin/${fx.committeeId}/2026-Q9`,
			`agenda/${'a'.repeat(5000)}`,
			''
		];
		const got = await Promise.all(names.map((n) => granted(token, n)));
		expect(got).toEqual(names.map(() => 'none'));
		// And the server still serves the real name afterwards.
		expect(await granted(token, agendaDocName(fx.meetingId))).not.toBe('none');
	});
});
