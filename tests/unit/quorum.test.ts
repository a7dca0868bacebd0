import { describe, expect, it } from 'vitest';
import { quorumMet, type AttendanceEntry, type AttendanceStatus } from '../../src/lib/domain/attendance';
import type { CommitteeRole } from '../../src/lib/domain/roles';
import { summarizeAttendance } from '../../src/lib/server/attendance';

describe('quorumMet', () => {
	it('needs strictly more than the share: exactly half is not a quorum at 50 %', () => {
		expect(quorumMet(3, 6, 50)).toBe(false);
		expect(quorumMet(4, 6, 50)).toBe(true);
		expect(quorumMet(3, 5, 50)).toBe(true);
		expect(quorumMet(2, 5, 50)).toBe(false);
		expect(quorumMet(1, 2, 50)).toBe(false);
		expect(quorumMet(2, 2, 50)).toBe(true);
	});

	it('works for other shares without rounding errors', () => {
		// Two thirds: 2 of 3 is 66.67 %, more than 66 % but not more than 67 %.
		expect(quorumMet(2, 3, 66)).toBe(true);
		expect(quorumMet(2, 3, 67)).toBe(false);
		// 7 of 10 at 70 % is exactly the share, so not more than it.
		expect(quorumMet(7, 10, 70)).toBe(false);
		expect(quorumMet(8, 10, 70)).toBe(true);
		expect(quorumMet(1, 100, 1)).toBe(false);
		expect(quorumMet(2, 100, 1)).toBe(true);
		expect(quorumMet(99, 100, 99)).toBe(false);
		expect(quorumMet(100, 100, 99)).toBe(true);
	});

	it('is never met by an empty committee or with nobody attending', () => {
		expect(quorumMet(0, 0, 50)).toBe(false);
		expect(quorumMet(0, 0, 1)).toBe(false);
		expect(quorumMet(0, 5, 1)).toBe(false);
	});
});

function entry(name: string, status: AttendanceStatus | null, extra: Partial<AttendanceEntry> = {}): AttendanceEntry {
	const role: CommitteeRole = extra.role ?? 'member';
	return { userId: name, displayName: name, role, unitId: null, unitName: null, status, reason: '', delegateId: null, delegateName: null, ...extra };
}

describe('summarizeAttendance', () => {
	const entries: AttendanceEntry[] = [
		entry('王书记', 'present', { role: 'convener' }),
		entry('李记录', 'remote', { role: 'recorder' }),
		entry('张委员', 'absent', { reason: '出差' }),
		entry('赵兼职', 'delegated', { role: 'part_time', unitId: 'u-hospital', unitName: '区人民医院', delegateId: '王书记', delegateName: '王书记' }),
		entry('钱兼职', 'remote', { role: 'part_time', unitId: 'u-bureau', unitName: '区民政局' }),
		entry('孙兼职', null, { role: 'part_time', unitId: 'u-bureau', unitName: '区民政局' }),
		entry('周列席', null, { role: 'observer' })
	];

	it('sorts members into the lists the minutes header prints', () => {
		const s = summarizeAttendance(entries, 50);
		expect(s).toMatchObject({
			// The 列席 observer is listed but is not a voting member.
			members: 6,
			present: ['王书记'],
			remote: ['李记录', '钱兼职'],
			absent: [{ name: '张委员', reason: '出差' }],
			delegated: [{ name: '赵兼职', to: '王书记' }],
			notRecorded: ['孙兼职', '周列席'],
			attending: 3,
			quorumPercent: 50,
			// 3 of 6 is exactly half, not more; the delegated member does not count.
			quorumMet: false
		});
	});

	it('marks a unit represented when any of its seats attends, sorted by unit name', () => {
		const s = summarizeAttendance(entries, 50);
		expect(s.units).toEqual([
			{ unitId: 'u-bureau', unitName: '区民政局', represented: true },
			{ unitId: 'u-hospital', unitName: '区人民医院', represented: false }
		]);
	});

	it('applies the committee quorum', () => {
		expect(summarizeAttendance(entries, 40).quorumMet).toBe(true);
		expect(summarizeAttendance(entries, 50).quorumMet).toBe(false);
		expect(summarizeAttendance([], 50)).toMatchObject({ members: 0, attending: 0, quorumMet: false, units: [] });
	});
});
