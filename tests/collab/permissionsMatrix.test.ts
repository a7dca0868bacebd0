import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { agendaDocName } from '../../src/lib/docs/agenda';
import { minutesDocName } from '../../src/lib/docs/minutes';
import { docName } from '../../src/lib/docs/names';
import { accessFor, DOC_STATES, type Access, type DocState } from '../../src/lib/domain/permissions';
import type { CommitteeRole } from '../../src/lib/domain/roles';
import { draftBulletin, freezeBulletin } from '../../src/lib/server/bulletin';
import { meetings } from '../../src/lib/server/db/schema';
import { useCollabSite } from '../helpers/collabSite';
import { createCommitteeFixture, type CommitteeFixture } from '../helpers/fixtures';
import { connect, waitFor, type TestClient } from '../helpers/provider';

/*
 * Every role × document kind × lifecycle state, over the WebSocket: the connection gets exactly
 * what the permission module says — refused for none, read-only for read and comment, read-write
 * for write — and forged document names are refused.
 */

const site = useCollabSite();
let other: CommitteeFixture;
beforeAll(async () => {
	other = await createCommitteeFixture(site.database.db);
});

type Who = CommitteeRole | 'admin' | 'outsider';
const WHO: Who[] = ['convener', 'recorder', 'member', 'part_time', 'observer', 'admin', 'outsider'];
const principal = (who: Who) => ({ isAdmin: who === 'admin', role: who === 'admin' || who === 'outsider' ? null : who });

/** What one connection was given: 'none' when refused, else its scope. */
async function granted(token: string, name: string): Promise<'none' | 'readonly' | 'read-write'> {
	const c: TestClient = connect(site.server.url, name, token);
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
			await site.database.db.update(meetings).set({ state }).where(eq(meetings.id, site.fx.meetingId));
			const wrong: string[] = [];
			for (const kind of ['agenda', 'minutes'] as const) {
				const name = kind === 'agenda' ? agendaDocName(site.fx.meetingId) : minutesDocName(site.fx.meetingId);
				for (const who of WHO) {
					const want = expected(accessFor(principal(who), kind, state));
					const got = await granted(site.fx.people[who].token, name);
					if (got !== want) wrong.push(`${kind}/${state}/${who}: ${got}, should be ${want}`);
				}
			}
			expect(wrong).toEqual([]);
		});
	}

	it('the board (open all year)', async () => {
		const wrong: string[] = [];
		const name = docName({ kind: 'board', committeeId: site.fx.committeeId, year: 2026 });
		for (const who of WHO) {
			const want = expected(accessFor(principal(who), 'board', 'scheduled'));
			const got = await granted(site.fx.people[who].token, name);
			if (got !== want) wrong.push(`board/${who}: ${got}, should be ${want}`);
		}
		expect(wrong).toEqual([]);
	});

	it('a bulletin while drafted and once frozen', async () => {
		const row = await draftBulletin(site.database.db, { id: site.fx.people.convener.id, isAdmin: false }, { scopeId: site.fx.committeeId, year: 2026, quarter: 4 }, '2026-11-28');
		const check = async (state: DocState) => {
			const wrong: string[] = [];
			for (const who of WHO) {
				const want = expected(accessFor(principal(who), 'bulletin', state));
				const got = await granted(site.fx.people[who].token, row.docName);
				if (got !== want) wrong.push(`bulletin/${state}/${who}: ${got}, should be ${want}`);
			}
			return wrong;
		};
		expect(await check('in_progress')).toEqual([]);
		await freezeBulletin(site.database.db, { id: site.fx.people.convener.id, isAdmin: false }, row.id);
		expect(await check('finalized')).toEqual([]);
	});

	it('refuses forged document names: other committees’ ids, unknown kinds, path tricks, very long names', async () => {
		const token = site.fx.people.convener.token;
		const names = [
			agendaDocName(other.meetingId),
			docName({ kind: 'board', committeeId: other.committeeId, year: 2026 }),
			`secrets/${site.fx.meetingId}`,
			`agenda/${site.fx.meetingId}/../../minutes/${other.meetingId}`,
			`../agenda/${site.fx.meetingId}`,
			`agenda/${site.fx.meetingId.toUpperCase()}`,
			`minutes/${site.fx.meetingId}\u0000`,
			`bulletin/${site.fx.committeeId}/2026-Q9`,
			`agenda/${'a'.repeat(5000)}`,
			''
		];
		const got = await Promise.all(names.map((n) => granted(token, n)));
		expect(got).toEqual(names.map(() => 'none'));
		// And the server still serves the real name afterwards.
		expect(await granted(token, agendaDocName(site.fx.meetingId))).not.toBe('none');
	});
});
