/*
 * The agenda item a carried-over tracked item becomes (督办). Like the minutes' layout, its
 * words are document content in Chinese, whatever the reader's language: the agenda is filed
 * with the minutes.
 */

export interface CarryOverFacts {
	itemId: string;
	title: string;
	dueDate: string | null;
	reasons: readonly ('overdue' | 'due' | 'help')[];
	units: readonly string[];
	helpNeeded: readonly string[];
}

const REASON_WORDS = { overdue: '已逾期', due: '会前到期', help: '报告需协调' } as const;

export function carryOverAgendaItem(f: CarryOverFacts): { title: string; notes: string; projectItemId: string; durationMinutes: number } {
	const lines = [
		`督办原因：${f.reasons.map((r) => REASON_WORDS[r]).join('、')}`,
		f.units.length ? `责任单位：${f.units.join('、')}` : '',
		f.dueDate ? `完成时限：${f.dueDate}` : '',
		...f.helpNeeded.map((h) => `需协调：${h}`)
	].filter(Boolean);
	return { title: `督办：${f.title}`.slice(0, 200), notes: lines.join('\n'), projectItemId: f.itemId, durationMinutes: 5 };
}
