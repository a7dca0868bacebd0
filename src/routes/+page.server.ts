import { getDb } from '$lib/server/db';
import { requireUser } from '$lib/server/guard';
import { upcomingMeetings } from '$lib/server/meeting';
import { visibleCommittees } from '$lib/server/visibility';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	const user = requireUser(locals, url);
	const db = await getDb();
	const committees = await visibleCommittees(db, user);
	const mine = committees.filter((c) => c.role !== null);
	const upcoming = await upcomingMeetings(db, (mine.length > 0 ? mine : committees).map((c) => c.id));
	return {
		committees: committees.map((c) => ({ id: c.id, name: c.name, kind: c.kind, streetName: c.streetName, memberCount: c.memberCount, role: c.role })),
		upcoming: upcoming.map((m) => ({ id: m.id, title: m.title, kind: m.kind, startsAt: m.startsAt.toISOString(), committeeName: m.committeeName, place: m.place })),
		isAdmin: user.isAdmin
	};
};
