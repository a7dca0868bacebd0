/** Roles a person holds in one committee. Global administration is separate (`isAdmin`). */
export const COMMITTEE_ROLES = ['convener', 'recorder', 'member', 'part_time', 'observer'] as const;
export type CommitteeRole = (typeof COMMITTEE_ROLES)[number];

export function isCommitteeRole(value: string): value is CommitteeRole {
	return (COMMITTEE_ROLES as readonly string[]).includes(value);
}

/** Who may schedule meetings and run their lifecycle. */
export function canManageMeetings(role: CommitteeRole | null, isAdmin: boolean): boolean {
	return isAdmin || role === 'convener' || role === 'recorder';
}
