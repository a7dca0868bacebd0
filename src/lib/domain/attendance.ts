import type { CommitteeRole } from './roles';

export const ATTENDANCE_STATUSES = ['present', 'remote', 'absent', 'delegated'] as const;
export type AttendanceStatus = (typeof ATTENDANCE_STATUSES)[number];

/** One member's attendance at one meeting; `status` null means not recorded yet. */
export interface AttendanceEntry {
	userId: string;
	displayName: string;
	role: CommitteeRole;
	unitId: string | null;
	unitName: string | null;
	status: AttendanceStatus | null;
	/** 请假 reason when absent. */
	reason: string;
	delegateId: string | null;
	delegateName: string | null;
}

/** What the minutes header and the meeting page say about attendance. */
export interface AttendanceSummary {
	/** Voting members (应到): everyone but 列席 observers. */
	members: number;
	present: string[];
	remote: string[];
	absent: { name: string; reason: string }[];
	delegated: { name: string; to: string }[];
	notRecorded: string[];
	/** Member units (of part-time members) and whether someone attended for them. */
	units: { unitId: string; unitName: string; represented: boolean }[];
	/** Voting members present or online (实到); delegated members are not counted as attending. */
	attending: number;
	quorumPercent: number;
	/** Attendance exceeds quorumPercent of the members. */
	quorumMet: boolean;
}

/** Quorum: strictly more than `percent` % of the members attend (present or online). */
export function quorumMet(attending: number, members: number, percent: number): boolean {
	return members > 0 && attending * 100 > members * percent;
}
