import { error } from '@sveltejs/kit';
import { boardDocName } from '$lib/docs/board';
import { atLeast } from '$lib/domain/permissions';
import { canManageMeetings } from '$lib/domain/roles';
import { boardSummary } from '$lib/server/board';
import { memberUnits } from '$lib/server/committee';
import { needCategoriesOfCommittee } from '$lib/server/needCategory';
import { getDb } from '$lib/server/db';
import { resolveDocAccess } from '$lib/server/docAccess';
import { requireUser } from '$lib/server/guard';
import { projectItemsOfYear } from '$lib/server/projectItem';
import { visibleCommittee } from '$lib/server/visibility';
import { PROJECTS_DEPENDENCY } from '$lib/collab/dependencies';
import type { PageServerLoad } from './$types';

const YEAR_MIN = 2000;
const YEAR_MAX = 2100;

/** The year in China, where the committees work, whatever the server's clock zone says. */
function chinaYear(now = new Date()): number {
	return Number(new Intl.DateTimeFormat('en', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(now));
}

export const load: PageServerLoad = async ({ params, locals, url, depends }) => {
	// The project list and the summary come from tables the collaboration server refreshes a
	// few seconds after edits; the page re-runs this load (invalidate) to catch up with them.
	depends('board:tables');
	depends(PROJECTS_DEPENDENCY);
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
	const projects = await projectItemsOfYear(db, committee.id, year);
	const summary = await boardSummary(db, { committeeId: committee.id, year });
	const categories = await needCategoriesOfCommittee(db, committee.id);
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
		categories,
		me: { id: user.id, name: user.displayName },
		// Same rule as the schedule action's, so the page offers the action only to those it accepts.
		canSchedule: canManageMeetings(access.role, user.isAdmin),
		projects: projects.map((p) => ({
			id: p.id,
			title: p.title,
			level: p.level,
			dueDate: p.dueDate,
			displayStatus: p.displayStatus,
			progress: p.progress,
			units: p.units.map((u) => u.name),
			sourceMeetingId: p.sourceMeetingId,
			sourceMeetingTitle: p.sourceMeetingTitle
		})),
		summary,
		// When the figures were read, shown next to them: they trail the live lists slightly.
		tablesAt: new Date().toISOString()
	};
};
