import { json } from '@sveltejs/kit';
import { apiError, apiHandler, readJsonObject, requireApiUser } from '$lib/server/api';
import { getDb } from '$lib/server/db';
import { withProjectErrors } from '$lib/server/projectApi';
import { changeDueDate, changeStatus, getProjectItem, reassign, type UnitAssignment } from '$lib/server/projectItem';
import { visibleCommittee } from '$lib/server/visibility';
import type { RequestHandler } from './$types';

const CHANGES = ['status', 'dueDate', 'units'] as const;

/**
 * Changes an item's status, due date or responsible units (convener, recorder, administrator),
 * always with a reason: `{change: "status", status, reason}`, `{change: "dueDate", dueDate, reason}`
 * or `{change: "units", units: [{unitId, personName}], reason}`.
 */
export const POST: RequestHandler = apiHandler(async ({ locals, params, request }) => {
	const user = requireApiUser(locals);
	const db = await getDb();
	const item = await getProjectItem(db, params.id);
	if (!item || !(await visibleCommittee(db, user, item.committeeId))) return apiError(404, 'not_found', 'No such project item, or you are not a member of its committee.');
	const body = await readJsonObject(request);
	const reason = typeof body.reason === 'string' ? body.reason : '';
	return withProjectErrors(async () => {
		switch (body.change) {
			case 'status':
				return json(await changeStatus(db, user, item.id, { status: typeof body.status === 'string' ? body.status : '', reason }));
			case 'dueDate':
				return json(await changeDueDate(db, user, item.id, { dueDate: typeof body.dueDate === 'string' ? body.dueDate : '', reason }));
			case 'units': {
				if (!Array.isArray(body.units)) return apiError(400, 'invalid_body', 'units must be an array of {unitId, personName}.');
				const units = body.units.map((u): UnitAssignment => {
					const o = (u && typeof u === 'object' ? u : {}) as Record<string, unknown>;
					return { unitId: typeof o.unitId === 'string' ? o.unitId : '', personName: typeof o.personName === 'string' ? o.personName : '' };
				});
				return json(await reassign(db, user, item.id, { units, reason }));
			}
			default:
				return apiError(400, 'invalid_change', `change must be one of ${CHANGES.join(', ')}.`);
		}
	});
});
