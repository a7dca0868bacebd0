import type { AttendanceSummary } from '../domain/attendance';
// Type only: erased at build time, so this module stays importable by the browser.
import type { PmJson } from '../server/minutes';
import { newDecisionId } from './decision';

/*
 * The layout of freshly opened minutes (会议纪要), built from the meeting and its agenda. Pure,
 * so the admin page can preview titles in the browser with exactly the code the server uses.
 *
 * The labels are Chinese whatever the reader's language: the minutes are an official document
 * of a Chinese body, filed and exported as such.
 */

export type { PmJson };

export const TITLE_PATTERN_MAX = 200;
export const CLOSING_TEXT_MAX = 2000;

export const TITLE_PLACEHOLDERS = ['committee', 'year', 'n', 'kind', 'date'] as const;
export type TitlePlaceholder = (typeof TITLE_PLACEHOLDERS)[number];
export type TitleVars = Record<TitlePlaceholder, string | number>;

export type TemplateMeetingKind = 'regular' | 'special';

/** What `{kind}` stands for. */
export const MEETING_KIND_LABELS: Record<TemplateMeetingKind, string> = { regular: '例会', special: '专题会议' };

export const DEFAULT_TITLE_PATTERNS = {
	community: '{committee}{year}年第{n}次工作例会纪要',
	street: '{committee}{year}年第{n}次工作会议纪要'
} as const;

/*
 * The stored pattern is written for the committee's regular meetings ("第N次工作例会"), which
 * would misname a special meeting. A pattern that uses {kind} was written with both kinds in
 * mind and is used for both; any other pattern leaves special meetings to this one.
 */
export const SPECIAL_TITLE_PATTERN = '{committee}专题会议纪要';

export function titlePatternFor(pattern: string, meetingKind: TemplateMeetingKind): string {
	return meetingKind === 'special' && !pattern.includes('{kind}') ? SPECIAL_TITLE_PATTERN : pattern;
}

const PLACEHOLDER = /\{(committee|year|n|kind|date)\}/g;

export function renderTitle(pattern: string, vars: TitleVars): string {
	return pattern.replace(PLACEHOLDER, (_whole, name: TitlePlaceholder) => String(vars[name]));
}

// ---------------------------------------------------------------- dates (China Standard Time)

interface BeijingTime {
	year: number;
	month: number;
	day: number;
	hour: number;
	minute: number;
}

/*
 * Committees meet in China whatever zone the server or the reader's browser is in; China has
 * one zone and no daylight saving, so a fixed offset is exact and needs no Intl data.
 */
const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;

export function beijingTime(iso: string): BeijingTime | null {
	const ms = new Date(iso).getTime();
	if (!Number.isFinite(ms)) return null;
	const d = new Date(ms + BEIJING_OFFSET_MS);
	return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes() };
}

/** 2026年12月10日 */
export function formatChineseDate(iso: string): string {
	const t = beijingTime(iso);
	return t ? `${t.year}年${t.month}月${t.day}日` : '';
}

/** 2026年12月10日 14:30 */
export function formatChineseDateTime(iso: string): string {
	const t = beijingTime(iso);
	return t ? `${t.year}年${t.month}月${t.day}日 ${t.hour}:${String(t.minute).padStart(2, '0')}` : '';
}

/** The first and last instant (exclusive) of a calendar year in Beijing, for "meetings of that year". */
export function beijingYearBounds(year: number): { start: Date; end: Date } {
	return { start: new Date(Date.UTC(year, 0, 1) - BEIJING_OFFSET_MS), end: new Date(Date.UTC(year + 1, 0, 1) - BEIJING_OFFSET_MS) };
}

export interface TitleMeeting {
	committeeName: string;
	kind: TemplateMeetingKind;
	/** ISO 8601. */
	startsAt: string;
	/** 1-based position among the committee's meetings of the same kind in that (Beijing) year. */
	ordinal: number;
}

export function titleVars(meeting: TitleMeeting): TitleVars {
	return {
		committee: meeting.committeeName,
		year: beijingTime(meeting.startsAt)?.year ?? '',
		n: meeting.ordinal,
		kind: MEETING_KIND_LABELS[meeting.kind],
		date: formatChineseDate(meeting.startsAt)
	};
}

/** The title of a meeting's minutes from the committee kind's stored pattern. */
export function minutesTitle(pattern: string, meeting: TitleMeeting): string {
	return renderTitle(titlePatternFor(pattern, meeting.kind), titleVars(meeting));
}

// ---------------------------------------------------------------- Chinese numerals

const DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
const UNITS = ['', '十', '百', '千'];

/**
 * 1 → 一, 10 → 十, 11 → 十一, 20 → 二十, 105 → 一百零五, 110 → 一百一十: how section numbers
 * (一、二、…) are written in official documents. Beyond 9999 (never an agenda) Arabic digits.
 */
export function chineseNumeral(n: number): string {
	if (!Number.isInteger(n) || n < 1 || n > 9999) return String(n);
	const digits = String(n).split('').map(Number);
	let out = '';
	let zeroPending = false;
	digits.forEach((d, i) => {
		const unit = UNITS[digits.length - 1 - i] ?? '';
		if (d === 0) {
			zeroPending = out !== '';
			return;
		}
		if (zeroPending) out += '零';
		zeroPending = false;
		out += DIGITS[d] + unit;
	});
	// 十一, not 一十一, when the number starts at the tens.
	return digits.length === 2 && out.startsWith('一十') ? out.slice(1) : out;
}

// ---------------------------------------------------------------- template text checks

export type TemplateField = 'titlePattern' | 'closingText';
export interface TemplateFieldError {
	key: string;
	params?: Record<string, string | number>;
}
export type TemplateErrors = Partial<Record<TemplateField, TemplateFieldError>>;

export interface TemplateText {
	titlePattern: string;
	closingText: string;
}

const chars = (s: string) => [...s].length;

/** One line, single spaces: a title is printed as one heading whatever was pasted. */
export function cleanTitlePattern(raw: string): string {
	return raw.normalize('NFC').replace(/\s+/gu, ' ').trim();
}

/** Line breaks kept (they become paragraphs), trailing blanks and CR dropped. */
export function cleanClosingText(raw: string): string {
	return raw
		.normalize('NFC')
		.replace(/\r\n?/g, '\n')
		.split('\n')
		.map((line) => line.replace(/\s+$/u, ''))
		.join('\n')
		.trim();
}

/** Validates and cleans a template; what the admin form and the server both apply. */
export function checkTemplate(input: TemplateText): { ok: true; value: TemplateText } | { ok: false; errors: TemplateErrors } {
	const errors: TemplateErrors = {};
	const titlePattern = cleanTitlePattern(input.titlePattern ?? '');
	const closingText = cleanClosingText(input.closingText ?? '');
	if (titlePattern === '') errors.titlePattern = { key: 'template.error.titleRequired' };
	else if (chars(titlePattern) > TITLE_PATTERN_MAX) errors.titlePattern = { key: 'template.error.titleTooLong', params: { max: TITLE_PATTERN_MAX } };
	else {
		const unknown = [...titlePattern.matchAll(/\{([^{}]*)\}/g)].find((m) => !(TITLE_PLACEHOLDERS as readonly string[]).includes(m[1] ?? ''));
		// A brace left over once the known placeholders are taken out is a typo ("{year" or "年}").
		const stray = /[{}]/.test(titlePattern.replace(PLACEHOLDER, ''));
		if (unknown) errors.titlePattern = { key: 'template.error.unknownPlaceholder', params: { name: unknown[0] } };
		else if (stray) errors.titlePattern = { key: 'template.error.strayBrace' };
	}
	if (chars(closingText) > CLOSING_TEXT_MAX) errors.closingText = { key: 'template.error.closingTooLong', params: { max: CLOSING_TEXT_MAX } };
	return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, value: { titlePattern, closingText } };
}

// ---------------------------------------------------------------- the skeleton

export interface SkeletonAgendaItem {
	title: string;
	presenter: string;
	durationMinutes: number;
	notes: string;
	/** A board proposal the item puts before the meeting: its section gets a decision block ready to approve it. */
	proposal?: { id: string; title: string; unitIds: string[]; dueDate: string };
	/** A tracked item carried over (督办): listed under 上次会议决议落实情况 instead of as a topic. */
	followUp?: FollowUp;
}

/** Where a carried-over item stands when the minutes are laid out (all in Chinese). */
export interface FollowUp {
	title: string;
	units: string[];
	dueDate: string;
	/** 未启动 / 进行中 / 逾期 / 搁置 / 已完成. */
	status: string;
	progress: number;
	helpNeeded: string[];
}

export interface SkeletonInput {
	title: string;
	/** ISO 8601. */
	startsAt: string;
	place: string;
	onlineLink: string;
	/** The convener's display name, or ''. */
	host: string;
	/** The recorder's display name, or ''. */
	recorder: string;
	attendance: AttendanceSummary | null;
	agenda: SkeletonAgendaItem[];
	closingText: string;
}

const text = (value: string): PmJson[] => (value === '' ? [] : [{ type: 'text', text: value }]);
const paragraph = (value: string): PmJson => ({ type: 'paragraph', content: text(value) });
const heading = (level: number, value: string): PmJson => ({ type: 'heading', attrs: { level }, content: text(value) });
const oneLine = (value: string): string => value.replace(/\s+/gu, ' ').trim();

/** Several lines in one paragraph, kept apart by hard breaks (ProseMirror text may not hold "\n"). */
function multiline(value: string): PmJson {
	const lines = value
		.replace(/\r\n?/g, '\n')
		.split('\n')
		.map((l) => l.trim())
		.filter((l) => l !== '');
	const content: PmJson[] = [];
	lines.forEach((line, i) => {
		if (i > 0) content.push({ type: 'hardBreak' });
		content.push({ type: 'text', text: line });
	});
	return { type: 'paragraph', content };
}

const LIST = '、';

function attendanceParagraphs(a: AttendanceSummary | null): PmJson[] {
	if (!a) return [paragraph('出席：'), paragraph('请假：')];
	const recorded = a.present.length + a.remote.length + a.absent.length + a.delegated.length;
	const out: PmJson[] = [];
	// Opened before anyone took attendance: labels to fill in, and no quorum verdict to mislead.
	if (recorded === 0) {
		out.push(paragraph('出席：'), paragraph('请假：'));
		if (a.members > 0) out.push(paragraph(`应到 ${a.members} 人`));
		return out;
	}
	out.push(paragraph(a.present.length > 0 ? `出席：${a.present.join(LIST)}（现场）` : '出席：'));
	if (a.remote.length > 0) out.push(paragraph(`线上：${a.remote.join(LIST)}`));
	if (a.absent.length > 0) out.push(paragraph(`请假：${a.absent.map((x) => (x.reason ? `${x.name}（${x.reason}）` : x.name)).join(LIST)}`));
	if (a.delegated.length > 0) out.push(paragraph(`委托：${a.delegated.map((x) => (x.to ? `${x.name} 委托 ${x.to}` : x.name)).join('；')}`));
	if (a.members > 0) out.push(paragraph(`应到 ${a.members} 人，实到 ${a.attending} 人，${a.quorumMet ? '已达到' : '未达到'}法定人数`));
	return out;
}

function agendaSection(item: SkeletonAgendaItem, index: number): PmJson[] {
	const title = oneLine(item.title) || '（议题）';
	const out: PmJson[] = [heading(3, `${chineseNumeral(index + 1)}、${title}`)];
	const presenter = oneLine(item.presenter);
	if (presenter) out.push(paragraph(`汇报人：${presenter}`));
	if (item.notes.trim()) out.push(multiline(item.notes));
	// Where the recorder writes what was said and decided.
	out.push(paragraph(''));
	if (item.proposal) {
		// The decision that approves the proposal, linked to it; the recorder edits or deletes it.
		out.push({
			type: 'decision',
			attrs: { id: newDecisionId(), units: item.proposal.unitIds.join(','), dueDate: item.proposal.dueDate, proposalId: item.proposal.id },
			content: [paragraph(`同意实施“${oneLine(item.proposal.title)}”项目。`)]
		});
	}
	return out;
}

function followUpSection(f: FollowUp, index: number): PmJson[] {
	const facts = [
		f.units.length ? `责任单位：${f.units.join(LIST)}` : '',
		f.dueDate ? `完成时限：${f.dueDate}` : '',
		`目前：${f.status}，进度 ${f.progress}%`
	].filter(Boolean);
	const out: PmJson[] = [paragraph(`${index + 1}. ${oneLine(f.title)}（${facts.join('；')}）`)];
	for (const help of f.helpNeeded) out.push(paragraph(`需协调：${oneLine(help)}`));
	// Where the recorder writes what the meeting heard and asked.
	out.push(paragraph(''));
	return out;
}

/**
 * The minutes as first laid out, in the official order: title, time, place, host, recorder,
 * attendance, one section per agenda item, closing text. Valid against minutesSchema().
 */
export function buildMinutesSkeleton(input: SkeletonInput): PmJson {
	const place = oneLine(input.place);
	const link = input.onlineLink.trim();
	const content: PmJson[] = [
		heading(1, oneLine(input.title)),
		paragraph(`时间：${formatChineseDateTime(input.startsAt)}`),
		paragraph(`地点：${place}`)
	];
	if (link) content.push(paragraph(`线上会议：${link}`));
	content.push(paragraph(`主持人：${oneLine(input.host)}`), paragraph(`记录人：${oneLine(input.recorder)}`));
	content.push(...attendanceParagraphs(input.attendance));
	const followUps = input.agenda.filter((i) => i.followUp);
	if (followUps.length > 0) {
		// Earlier decisions come first: the meeting hears how they are going before new business.
		content.push(heading(2, '上次会议决议落实情况'));
		followUps.forEach((item, i) => content.push(...followUpSection(item.followUp!, i)));
	}
	const topics = input.agenda.filter((i) => !i.followUp);
	content.push(heading(2, '会议议题'));
	const items = topics.length > 0 || followUps.length > 0 ? topics : [{ title: '', presenter: '', durationMinutes: 0, notes: '' }];
	items.forEach((item, i) => content.push(...agendaSection(item, i)));
	const closing = cleanClosingText(input.closingText);
	if (closing) for (const line of closing.split('\n')) if (line.trim()) content.push(paragraph(line.trim()));
	return { type: 'doc', content };
}
