import { error } from '@sveltejs/kit';
import { boardDocName } from '$lib/docs/board';
import { atLeast } from '$lib/domain/permissions';
import { memberUnits } from '$lib/server/committee';
import { getDb } from '$lib/server/db';
import { resolveDocAccess } from '$lib/server/docAccess';
import { requireUser } from '$lib/server/guard';
import { visibleCommittee } from '$lib/server/visibility';
import type { PageServerLoad } from './$types';

const YEAR_MIN = 2000;
const YEAR_MAX = 2100;

/** The year in China, where the committees work, whatever the server's clock zone says. */
function chinaYear(now = new Date()): number {
	return Number(new Intl.DateTimeFormat('en', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(now));
}

export const load: PageServerLoad = async ({ params, locals, url }) => {
	const user = requireUser(locals, url);
	// A malformed year is a page that does not exist, not a bad request: people type these URLs.
	if (!/^\d{4}$/.test(params.year)) error(404, { message: 'not-found', code: 'not_found' });
	const year = Number(params.year);
	if (year < YEAR_MIN || year > YEAR_MAX) error(404, { message: 'not-found', code: 'not_found' });
	const db = await getDb();
	const committee = await visibleCommittee(db, user, params.id);
	if (!committee) error(404, { message: 'not-found', code: 'not_found' });
	const access = await resolveDocAccess(db, user, { kind: 'board', committeeId: committee.id, year });
	if (!access.found || access.access === 'none') error(404, { message: 'not-found', code: 'not_found' });
	const units = await memberUnits(db, committee.id);
	// The collaboration server refuses a part-time member's change to another unit's resource
	// (boardRules); the page mirrors that rule so it never offers such a change.
	const ownUnitOnly = access.role === 'part_time';
	return {
		committee: { id: committee.id, name: committee.name, kind: committee.kind },
		year,
		currentYear: chinaYear(),
		previousYear: year > YEAR_MIN ? year - 1 : null,
		nextYear: year < YEAR_MAX ? year + 1 : null,
		docName: boardDocName(committee.id, year),
		role: access.role,
		canWrite: atLeast(access.access, 'write'),
		ownUnitOnly,
		myUnitId: ownUnitOnly ? access.unitId : null,
		units,
		me: { id: user.id, name: user.displayName }
	};
};
