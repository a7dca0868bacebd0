import { PROJECTS_DEPENDENCY } from '$lib/collab/dependencies';
import { getDb } from '$lib/server/db';
import { requireUser } from '$lib/server/guard';
import { myItems } from '$lib/server/progressReport';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url, depends }) => {
	// A report filed from another device, or a status the convener changed, shows here without a reload.
	depends(PROJECTS_DEPENDENCY);
	const user = requireUser(locals, url);
	const items = await myItems(await getDb(), user);
	return {
		items: items.map((m) => ({
			id: m.item.id,
			title: m.item.title,
			committeeId: m.item.committeeId,
			committeeName: m.item.committeeName,
			displayStatus: m.item.displayStatus,
			doneLate: m.item.doneLate,
			dueDate: m.item.dueDate,
			progress: m.item.progress,
			unitName: m.unitName,
			expectsReports: m.expectsReports,
			due: m.due,
			lastClosed: m.lastClosed
		}))
	};
};
