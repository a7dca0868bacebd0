import { afterEach, describe, expect, it, vi } from 'vitest';
import {
	addMonths,
	chinaToday,
	daysOverdue,
	displayStatus,
	dueMonth,
	isCalendarDate,
	isDoneLate,
	isFutureMonth,
	lastClosedMonth,
	reportMissing,
	reportState,
	reportWindow,
	windowClosed,
	type ReportableItem
} from '../../src/lib/domain/projectStatus';

const originalTz = process.env.TZ;
afterEach(() => {
	vi.useRealTimers();
	if (originalTz === undefined) delete process.env.TZ;
	else process.env.TZ = originalTz;
});

describe('display status', () => {
	const due = { status: 'in_progress' as const, dueDate: '2026-12-31' };

	it('is overdue from 00:00 China time on the day after the due date, with the server clock in UTC', () => {
		process.env.TZ = 'UTC';
		// 2026-12-31 23:59 in Shanghai is 15:59 UTC: still due today.
		expect(displayStatus(due, new Date('2026-12-31T15:59:00Z'))).toBe('in_progress');
		// 2027-01-01 00:01 in Shanghai is 16:01 UTC on the 31st: overdue, although UTC still says the 31st.
		expect(displayStatus(due, new Date('2026-12-31T16:01:00Z'))).toBe('overdue');
		expect(displayStatus(due, '2026-12-31')).toBe('in_progress');
		expect(displayStatus(due, '2027-01-01')).toBe('overdue');
		expect(daysOverdue(due, '2027-01-11')).toBe(11);
		expect(daysOverdue(due, '2026-12-31')).toBe(0);
		// The server's own zone plays no part.
		process.env.TZ = 'America/Los_Angeles';
		expect(displayStatus(due, new Date('2026-12-31T16:01:00Z'))).toBe('overdue');
	});

	it('uses the current clock by default, in China time', () => {
		vi.useFakeTimers();
		vi.setSystemTime(new Date('2026-12-31T16:01:00Z'));
		expect(chinaToday()).toBe('2027-01-01');
		expect(displayStatus(due)).toBe('overdue');
		vi.setSystemTime(new Date('2026-12-31T15:59:00Z'));
		expect(displayStatus(due)).toBe('in_progress');
	});

	it('never shows on-hold or done items as overdue; done late is exposed beside done', () => {
		expect(displayStatus({ status: 'on_hold', dueDate: '2026-01-01' }, '2027-01-01')).toBe('on_hold');
		const late = { status: 'done' as const, dueDate: '2026-12-31', doneOn: '2027-01-05' };
		expect(displayStatus(late, '2027-03-01')).toBe('done');
		expect(isDoneLate(late)).toBe(true);
		expect(isDoneLate({ ...late, doneOn: '2026-12-31' })).toBe(false);
		expect(isDoneLate({ status: 'in_progress', dueDate: '2026-12-31', doneOn: '2027-01-05' })).toBe(false);
		expect(displayStatus({ status: 'not_started', dueDate: '2026-12-30' }, '2026-12-31')).toBe('overdue');
		expect(displayStatus({ status: 'not_started', dueDate: null }, '2099-12-31')).toBe('not_started');
	});
});

describe('report windows', () => {
	it('are due by the report day of the next month', () => {
		expect(reportWindow('2026-11', 10)).toEqual({ month: '2026-11', opensOn: '2026-11-01', monthEnd: '2026-11-30', deadline: '2026-12-10' });
		expect(reportWindow('2026-01', 10).monthEnd).toBe('2026-01-31');
	});

	it('cross the year end: December is due in January of the next year', () => {
		expect(reportWindow('2026-12', 10)).toEqual({ month: '2026-12', opensOn: '2026-12-01', monthEnd: '2026-12-31', deadline: '2027-01-10' });
		expect(addMonths('2026-12', 1)).toBe('2027-01');
		expect(addMonths('2027-01', -1)).toBe('2026-12');
		expect(addMonths('2026-05', -17)).toBe('2024-12');
	});

	it('know leap years: February 2028 has 29 days, 2100 is not a leap year', () => {
		expect(reportWindow('2028-02', 10).monthEnd).toBe('2028-02-29');
		expect(reportWindow('2027-02', 10).monthEnd).toBe('2027-02-28');
		expect(reportWindow('2028-01', 29).deadline).toBe('2028-02-29');
		expect(reportWindow('2028-01', 31).deadline).toBe('2028-02-29');
		expect(reportWindow('2100-01', 30).deadline).toBe('2100-02-28');
		expect(isCalendarDate('2028-02-29')).toBe(true);
		expect(isCalendarDate('2027-02-29')).toBe(false);
	});

	it('clamp report days 28–31 to short months', () => {
		expect(reportWindow('2027-01', 28).deadline).toBe('2027-02-28');
		expect(reportWindow('2027-01', 29).deadline).toBe('2027-02-28');
		expect(reportWindow('2027-01', 30).deadline).toBe('2027-02-28');
		expect(reportWindow('2027-01', 31).deadline).toBe('2027-02-28');
		expect(reportWindow('2027-03', 31).deadline).toBe('2027-04-30');
		expect(reportWindow('2027-04', 31).deadline).toBe('2027-05-31');
		expect(() => reportWindow('2027-13', 10)).toThrow(RangeError);
		expect(() => reportWindow('2027-01', 0)).toThrow(RangeError);
	});

	it('close after the deadline day has ended in China', () => {
		expect(windowClosed('2026-11', 10, '2026-12-10')).toBe(false);
		expect(windowClosed('2026-11', 10, '2026-12-11')).toBe(true);
		// 2026-12-10 16:30 UTC is already the 11th in Shanghai.
		expect(windowClosed('2026-11', 10, new Date('2026-12-10T16:30:00Z'))).toBe(true);
		expect(windowClosed('2026-11', 10, new Date('2026-12-10T15:30:00Z'))).toBe(false);
	});

	it('tell which month is due now and which one was last closed', () => {
		expect(dueMonth('2026-12-05', 10)).toBe('2026-11');
		expect(dueMonth('2026-12-10', 10)).toBe('2026-11');
		expect(dueMonth('2026-12-11', 10)).toBe('2026-12');
		expect(lastClosedMonth('2026-12-11', 10)).toBe('2026-11');
		expect(lastClosedMonth('2026-12-10', 10)).toBe('2026-10');
		expect(dueMonth('2027-01-03', 10)).toBe('2026-12');
		expect(lastClosedMonth('2027-01-03', 10)).toBe('2026-11');
		expect(dueMonth('2028-03-01', 31)).toBe('2028-02');
		expect(windowClosed('2028-01', 31, '2028-02-29')).toBe(false);
		expect(windowClosed('2028-01', 31, '2028-03-01')).toBe(true);
		expect(lastClosedMonth('2028-03-01', 29)).toBe('2028-01');
		expect(dueMonth('2028-02-29', 31)).toBe('2028-01');
		expect(isFutureMonth('2027-01', '2026-12-31')).toBe(true);
		expect(isFutureMonth('2026-12', '2026-12-31')).toBe(false);
		expect(reportState('2026-11', false, 10, '2026-12-10')).toBe('due');
		expect(reportState('2026-11', false, 10, '2026-12-11')).toBe('missing');
		expect(reportState('2026-11', true, 10, '2027-06-01')).toBe('filed');
	});
});

describe('report missing', () => {
	const item = (over: Partial<ReportableItem>): ReportableItem => ({
		id: 'i1',
		status: 'in_progress',
		createdOn: '2026-10-15',
		withdrawn: false,
		unitIds: ['u1', 'u2'],
		...over
	});

	it('flags each responsible unit without a report on the last closed month', () => {
		const reports = [
			{ projectItemId: 'i1', unitId: 'u1', month: '2026-11' },
			{ projectItemId: 'i1', unitId: 'u2', month: '2026-10' }
		];
		expect(reportMissing([item({})], reports, '2026-12-11', 10)).toEqual([{ itemId: 'i1', unitId: 'u2', month: '2026-11', deadline: '2026-12-10' }]);
		// Before the deadline has passed November is still due, and October is the month checked.
		expect(reportMissing([item({})], reports, '2026-12-10', 10)).toEqual([{ itemId: 'i1', unitId: 'u1', month: '2026-10', deadline: '2026-11-10' }]);
	});

	it('skips done, on-hold and withdrawn items, and months before the item existed', () => {
		const today = '2026-12-11';
		expect(reportMissing([item({ status: 'done' }), item({ status: 'on_hold' }), item({ withdrawn: true })], [], today, 10)).toEqual([]);
		expect(reportMissing([item({ createdOn: '2026-12-01' })], [], today, 10)).toEqual([]);
		expect(reportMissing([item({ status: 'not_started', createdOn: '2026-11-30', unitIds: ['u1'] })], [], today, 10)).toHaveLength(1);
	});

	it('checks December in the new year', () => {
		expect(reportMissing([item({ unitIds: ['u1'] })], [], '2027-01-11', 10)).toEqual([{ itemId: 'i1', unitId: 'u1', month: '2026-12', deadline: '2027-01-10' }]);
	});
});
