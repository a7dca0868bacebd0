import type { Meeting } from './meeting';
import type { VisibleCommittee } from './visibility';

/** The JSON shapes of the API, in one place so the OpenAPI document can describe them. */
export function meetingJson(m: Meeting) {
	return {
		id: m.id,
		committeeId: m.committeeId,
		title: m.title,
		kind: m.kind,
		state: m.state,
		startsAt: m.startsAt.toISOString(),
		place: m.place,
		onlineLink: m.onlineLink,
		createdAt: m.createdAt.toISOString()
	};
}

export function committeeJson(c: VisibleCommittee) {
	return {
		id: c.id,
		kind: c.kind,
		name: c.name,
		streetName: c.streetName,
		communityName: c.communityName,
		memberCount: c.memberCount,
		role: c.role
	};
}
