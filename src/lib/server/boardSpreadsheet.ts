import { inflateRawSync } from 'node:zlib';
import { inArray } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import type * as Y from 'yjs';
import {
	NEED_PRIORITIES,
	NEED_SOURCES,
	NEED_STATUSES,
	RESOURCE_STATUSES,
	RESOURCE_TYPES,
	TEXT_MAX,
	addNeed,
	addResource,
	boardDocName,
	needsMap,
	nextOrder,
	readNeeds,
	readResources,
	resourcesMap,
	setCardValue,
	type NeedPriority,
	type NeedSource,
	type NeedStatus,
	type NeedTextField,
	type ResourceStatus,
	type ResourceTextField,
	type ResourceType
} from '../docs/board';
import { categoryLabel as labelOf, DEFAULT_NEED_CATEGORIES, OTHER_CATEGORY, type NeedCategory } from '../domain/needCategory';
import { atLeast, type Access } from '../domain/permissions';
import type { CommitteeRole } from '../domain/roles';
import type { SessionUser } from './auth/session';
import { recordAudit } from './audit';
import { memberUnits } from './committee';
import { CSV_MAX_BYTES, CSV_MAX_REPORTED_ERRORS, CSV_MAX_ROWS, decodeCsv, parseCsv, type CsvErrorKey } from './csvImport';
import type { DbOrTx } from './db';
import { units } from './db/schema';
import { resolveDocAccess } from './docAccess';
import { needCategoriesOfCommittee } from './needCategory';
import { editDocument, readDocument } from './liveEdit';
import type { MessageParams } from './organisation';
import { projectItemsOfYear, type DisplayStatus } from './projectItem';
import { visibleCommittee } from './visibility';

/*
 * The needs and resources lists as spreadsheets. Units keep their lists in Excel or WPS and
 * send them in; typing a hundred cards into the board by hand is not going to happen.
 *
 * Same two steps as the member import (csvImport): a preview that lists every problem with
 * its row number, then the import, which checks again and adds every row as a card in one
 * change of the live board, or none. Row numbers are the ones the spreadsheet program shows
 * (the header is row 1 when it is the first row), so a person can go straight to the cell.
 *
 * The export writes the headers the import reads, so a year's lists can be exported, edited
 * and imported into the next year's board.
 */

export type BoardSheetKind = 'needs' | 'resources';
export const BOARD_SHEET_KINDS: readonly BoardSheetKind[] = ['needs', 'resources'];

export interface BoardRef {
	committeeId: string;
	year: number;
}

/** The person importing: the cards record them, and a part-time member's rows are held to their unit. */
export interface SheetUser {
	id: string;
	name: string;
	role: CommitteeRole | null;
	unitId: string | null;
}

/** A .xlsx expands to many times its size; beyond this it is not a list of cards. */
export const XLSX_MAX_EXPANDED_BYTES = 32 * 1024 * 1024;
/** Cells further right than this are not read (a stray value in column XFD must not allocate 16k cells a row). */
export const SHEET_MAX_COLUMNS = 64;
/** A title row or two above the header is common; the header is looked for among this many rows. */
const HEADER_SEARCH_ROWS = 10;

type OwnErrorKey =
	| 'boardSheet.error.unsupportedFile'
	| 'boardSheet.error.legacyExcel'
	| 'boardSheet.error.unreadable'
	| 'boardSheet.error.expandsTooLarge'
	| 'boardSheet.error.noWorksheet'
	| 'boardSheet.error.valueWithoutHeader'
	| 'boardSheet.error.unknownCategory'
	| 'boardSheet.error.unknownSource'
	| 'boardSheet.error.unknownPriority'
	| 'boardSheet.error.unknownNeedStatus'
	| 'boardSheet.error.unknownType'
	| 'boardSheet.error.unknownResourceStatus'
	| 'boardSheet.error.notMemberUnit'
	| 'boardSheet.error.otherUnit'
	| 'boardSheet.error.noOwnUnit'
	| 'boardSheet.error.duplicateTitle'
	| 'boardSheet.error.duplicateResource';

export type BoardSheetErrorKey = CsvErrorKey | OwnErrorKey;

/** As in csvImport: a message key the UI translates, the row and the column as headed in the file. */
export interface BoardSheetError {
	/** 1-based row of the sheet (the header's row included); 0 when the problem is the whole file. */
	line: number;
	column?: string;
	key: BoardSheetErrorKey;
	params?: MessageParams;
}

// ---------------------------------------------------------------- values

export const NEED_SOURCE_LABELS: Record<NeedSource, string> = {
	residents: '居民反映',
	grid_patrol: '网格巡查',
	visits: '走访',
	petitions: '信访',
	other: '其他'
};
export const NEED_PRIORITY_LABELS: Record<NeedPriority, string> = { high: '高', medium: '中', low: '低' };
export const NEED_STATUS_LABELS: Record<NeedStatus, string> = { open: '待对接', matched: '已匹配', in_project: '已立项', closed: '已关闭' };
export const RESOURCE_TYPE_LABELS: Record<ResourceType, string> = {
	people: '人力',
	expertise: '智力',
	funds: '资金',
	venue: '场地',
	goods: '物资',
	services: '服务'
};
export const RESOURCE_STATUS_LABELS: Record<ResourceStatus, string> = { available: '可提供', committed: '已承诺', used_up: '已用完' };
const PROJECT_STATUS_LABELS: Record<DisplayStatus, string> = {
	not_started: '未启动',
	in_progress: '进行中',
	done: '已完成',
	on_hold: '搁置',
	overdue: '逾期'
};

/** Spellings people actually type besides the labels and the English values. */
const VALUE_ALIASES: Record<string, string> = { 其它: 'other', 高优先级: 'high', 中优先级: 'medium', 低优先级: 'low', 一般: 'medium', 紧急: 'high' };

const valueKey = (raw: string) =>
	raw
		.normalize('NFKC')
		.trim()
		.toLowerCase()
		.replace(/[\s-]+/g, '_');

function choices<T extends string>(values: readonly T[], labels: Record<T, string>): (raw: string) => T | null {
	const map = new Map<string, T>();
	for (const v of values) {
		map.set(valueKey(v), v);
		map.set(valueKey(labels[v]), v);
	}
	for (const [alias, v] of Object.entries(VALUE_ALIASES)) {
		if ((values as readonly string[]).includes(v) && !map.has(valueKey(alias))) map.set(valueKey(alias), v as T);
	}
	return (raw) => map.get(valueKey(raw)) ?? null;
}

/**
 * The district's live categories by key, Chinese or English label. Archived ones are refused
 * like unknown ones: a new card may not take a category the district has retired.
 */
function categoryParser(list: readonly NeedCategory[]): (raw: string) => string | null {
	const map = new Map<string, string>();
	for (const c of list) {
		if (c.archived) continue;
		for (const spelling of [c.key, c.labelZh, c.labelEn]) if (spelling && !map.has(valueKey(spelling))) map.set(valueKey(spelling), c.key);
	}
	if (list.some((c) => c.key === OTHER_CATEGORY && !c.archived) && !map.has(valueKey('其它'))) map.set(valueKey('其它'), OTHER_CATEGORY);
	return (raw) => map.get(valueKey(raw)) ?? null;
}

const liveCategoryLabels = (list: readonly NeedCategory[]) => list.filter((c) => !c.archived).map((c) => c.labelZh);
const parseSource = choices(NEED_SOURCES, NEED_SOURCE_LABELS);
const parsePriority = choices(NEED_PRIORITIES, NEED_PRIORITY_LABELS);
const parseNeedStatus = choices(NEED_STATUSES, NEED_STATUS_LABELS);
const parseType = choices(RESOURCE_TYPES, RESOURCE_TYPE_LABELS);
const parseResourceStatus = choices(RESOURCE_STATUSES, RESOURCE_STATUS_LABELS);

const listOf = <T extends string>(values: readonly T[], labels: Record<T, string>) => values.map((v) => labels[v]).join('、');

// ---------------------------------------------------------------- reading a file

export interface SheetRows {
	/** rows[i] is row i + 1 of the sheet; rows that were not read (blank, or part of a multi-line CSV record) are []. */
	rows: string[][];
	errors: BoardSheetError[];
}

const failedRead = (error: BoardSheetError): SheetRows => ({ rows: [], errors: [error] });

const startsWith = (bytes: Uint8Array, magic: number[]) => magic.every((b, i) => bytes[i] === b);
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
/** OLE compound file: .xls, .et, and also a password-protected .xlsx. */
const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

function extension(filename: string): string {
	const dot = filename.lastIndexOf('.');
	return dot === -1 ? '' : filename.slice(dot + 1).toLowerCase();
}

/**
 * Reads the rows of an uploaded spreadsheet as text: a .xlsx's sheet (the one named for the
 * list when the workbook has one, as an exported workbook does; otherwise the first visible
 * one) or a CSV in any encoding Excel or WPS writes. Problems with the file as a whole come
 * back as errors on row 0; CSV quoting problems on their row.
 */
export async function readSheetRows(bytes: Uint8Array, filename: string, kind?: BoardSheetKind): Promise<SheetRows> {
	if (bytes.byteLength > CSV_MAX_BYTES) return failedRead({ line: 0, key: 'csv.fileTooLarge', params: { size: bytes.byteLength, max: CSV_MAX_BYTES } });
	if (bytes.byteLength === 0) return failedRead({ line: 0, key: 'csv.empty' });
	const ext = extension(filename);
	// The content decides, not the name: WPS users rename files freely.
	if (startsWith(bytes, OLE_MAGIC)) return failedRead({ line: 0, key: 'boardSheet.error.legacyExcel' });
	if (startsWith(bytes, ZIP_MAGIC)) return readXlsx(bytes, kind);
	if (ext === 'csv' || ext === 'txt' || ext === '') return readCsvRows(bytes);
	if (ext === 'xlsx') return failedRead({ line: 0, key: 'boardSheet.error.unreadable' });
	return failedRead({ line: 0, key: 'boardSheet.error.unsupportedFile', params: { name: filename } });
}

function readCsvRows(bytes: Uint8Array): SheetRows {
	const parsed = parseCsv(decodeCsv(bytes));
	const rows: string[][] = [];
	const errors: BoardSheetError[] = parsed.errors.map((e) => ({ line: e.line, key: e.key, ...(e.params ? { params: e.params } : {}) }));
	for (const record of parsed.records) {
		while (rows.length < record.line - 1) rows.push([]);
		const fields = record.fields.slice(0, SHEET_MAX_COLUMNS);
		const beyond = record.fields.findIndex((f, i) => i >= SHEET_MAX_COLUMNS && f.trim() !== '');
		if (beyond !== -1) errors.push({ line: record.line, key: 'boardSheet.error.valueWithoutHeader', params: { column: columnLetter(beyond + 1) } });
		rows[record.line - 1] = fields;
	}
	return { rows, errors };
}

type ZipCheck = 'ok' | 'unreadable' | 'tooLarge';

/**
 * Refuses a zip bomb before exceljs inflates it in memory: every entry is inflated here with a
 * hard cap on the total, so the declared sizes (which a hostile file can fake) are not trusted.
 */
function checkZip(bytes: Uint8Array): ZipCheck {
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	let eocd = -1;
	for (let p = bytes.byteLength - 22; p >= Math.max(0, bytes.byteLength - 22 - 0xffff); p--) {
		if (view.getUint32(p, true) === 0x06054b50) {
			eocd = p;
			break;
		}
	}
	if (eocd === -1) return 'unreadable';
	const entries = view.getUint16(eocd + 10, true);
	let p = view.getUint32(eocd + 16, true);
	// Zip64 markers: a file under 1 MiB has no business needing them.
	if (entries === 0xffff || p === 0xffffffff) return 'tooLarge';
	let budget = XLSX_MAX_EXPANDED_BYTES;
	for (let i = 0; i < entries; i++) {
		if (p + 46 > bytes.byteLength || view.getUint32(p, true) !== 0x02014b50) return 'unreadable';
		const method = view.getUint16(p + 10, true);
		const compressed = view.getUint32(p + 20, true);
		const local = view.getUint32(p + 42, true);
		p += 46 + view.getUint16(p + 28, true) + view.getUint16(p + 30, true) + view.getUint16(p + 32, true);
		if (local + 30 > bytes.byteLength || view.getUint32(local, true) !== 0x04034b50) return 'unreadable';
		const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
		if (start + compressed > bytes.byteLength) return 'unreadable';
		let size: number;
		if (method === 0) size = compressed;
		else if (method === 8) {
			try {
				size = inflateRawSync(bytes.subarray(start, start + compressed), { maxOutputLength: budget + 1 }).byteLength;
			} catch (err) {
				if (err instanceof RangeError) return 'tooLarge';
				return 'unreadable';
			}
		} else return 'unreadable';
		budget -= size;
		if (budget < 0) return 'tooLarge';
	}
	return 'ok';
}

const SHEET_NAMES: Record<BoardSheetKind, string[]> = { needs: ['需求清单', 'needs'], resources: ['资源清单', 'resources'] };

async function readXlsx(bytes: Uint8Array, kind: BoardSheetKind | undefined): Promise<SheetRows> {
	const zip = checkZip(bytes);
	if (zip === 'tooLarge') return failedRead({ line: 0, key: 'boardSheet.error.expandsTooLarge' });
	if (zip === 'unreadable') return failedRead({ line: 0, key: 'boardSheet.error.unreadable' });
	const workbook = new ExcelJS.Workbook();
	try {
		// A copy as a plain ArrayBuffer: what exceljs' typings call a Buffer, and JSZip reads as is.
		await workbook.xlsx.load(new Uint8Array(bytes).buffer);
	} catch {
		// Whatever exceljs trips over (a .docx renamed, a damaged file), the answer for the person is the same.
		return failedRead({ line: 0, key: 'boardSheet.error.unreadable' });
	}
	const visible = workbook.worksheets.filter((ws) => ws.state === 'visible' || ws.state === undefined);
	const wanted = kind ? SHEET_NAMES[kind] : [];
	const sheet = visible.find((ws) => wanted.includes(ws.name.trim().toLowerCase())) ?? visible[0];
	if (!sheet) return failedRead({ line: 0, key: 'boardSheet.error.noWorksheet' });
	const rows: string[][] = [];
	const errors: BoardSheetError[] = [];
	let read = 0;
	sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
		// Stops building text once the sheet is surely over the limit; interpret() counts exactly.
		if (++read > CSV_MAX_ROWS + HEADER_SEARCH_ROWS + 1) return;
		const cells: string[] = [];
		let reported = false;
		row.eachCell({ includeEmpty: false }, (cell, col) => {
			const value = cellText(cell);
			if (col > SHEET_MAX_COLUMNS) {
				if (value.trim() !== '' && !reported) errors.push({ line: rowNumber, key: 'boardSheet.error.valueWithoutHeader', params: { column: columnLetter(col) } });
				reported ||= value.trim() !== '';
				return;
			}
			while (cells.length < col - 1) cells.push('');
			cells[col - 1] = value;
		});
		while (rows.length < rowNumber - 1) rows.push([]);
		rows[rowNumber - 1] = cells;
	});
	if (read > CSV_MAX_ROWS + HEADER_SEARCH_ROWS + 1) return failedRead({ line: 0, key: 'csv.tooManyRows', params: { count: read - 1, max: CSV_MAX_ROWS } });
	return { rows, errors };
}

function cellText(cell: ExcelJS.Cell): string {
	if (cell.isMerged && cell.master !== cell) {
		// A unit merged down over its resources applies to each of them; a cell merged across
		// columns is one value, not a copy in every column.
		return cell.master.fullAddress.col === cell.fullAddress.col ? valueText(cell.master.value) : '';
	}
	return valueText(cell.value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null;
}

function valueText(value: unknown): string {
	if (value === null || value === undefined) return '';
	if (typeof value === 'string') return value;
	if (typeof value === 'number') return numberText(value);
	if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
	if (value instanceof Date) return dateText(value);
	if (!isRecord(value)) return '';
	if (Array.isArray(value.richText)) return value.richText.map((part: unknown) => (isRecord(part) && typeof part.text === 'string' ? part.text : '')).join('');
	if ('formula' in value || 'sharedFormula' in value) return valueText(value.result);
	if ('hyperlink' in value) return valueText(value.text);
	if (typeof value.error === 'string') return value.error;
	return '';
}

/** 0.1 + 0.2 computed by a formula shows as 0.3 in Excel; it should read the same here. */
function numberText(n: number): string {
	if (!Number.isFinite(n)) return '';
	return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(15)));
}

/** exceljs gives date cells as UTC instants that carry the wall-clock time typed in the cell. */
function dateText(d: Date): string {
	if (Number.isNaN(d.getTime())) return '';
	const iso = d.toISOString();
	const time = iso.slice(11, 16);
	return time === '00:00' ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${time}`;
}

function columnLetter(col: number): string {
	let s = '';
	for (let n = col; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
	return s;
}

// ---------------------------------------------------------------- header and rows

interface ColumnSpec<K extends string> {
	key: K;
	zh: string;
	en: string;
	aliases: readonly string[];
}

/** 序号 columns are everywhere in Chinese spreadsheets; accepted and not read. */
const SEQUENCE: ColumnSpec<'seq'> = { key: 'seq', zh: '序号', en: 'no', aliases: ['编号', '#', 'no.', 'number'] };

type NeedColumn = 'title' | 'description' | 'category' | 'source' | 'place' | 'priority' | 'status' | 'seq';
type ResourceColumn = 'unit' | 'type' | 'title' | 'description' | 'quantity' | 'availability' | 'contact' | 'status' | 'seq';

const NEED_COLUMNS: readonly ColumnSpec<NeedColumn>[] = [
	{ key: 'title', zh: '标题', en: 'title', aliases: ['需求', '需求名称', '需求标题', '名称'] },
	{ key: 'description', zh: '描述', en: 'description', aliases: ['需求描述', '具体内容', '内容', '说明'] },
	{ key: 'category', zh: '类别', en: 'category', aliases: ['需求类别', '分类', '类型'] },
	{ key: 'source', zh: '来源', en: 'source', aliases: ['需求来源'] },
	{ key: 'place', zh: '小区或地点', en: 'place', aliases: ['小区', '地点', '小区/地点', '所在小区'] },
	{ key: 'priority', zh: '优先级', en: 'priority', aliases: ['紧急程度'] },
	{ key: 'status', zh: '状态', en: 'status', aliases: [] },
	SEQUENCE
];

const RESOURCE_COLUMNS: readonly ColumnSpec<ResourceColumn>[] = [
	{ key: 'unit', zh: '单位', en: 'unit', aliases: ['提供单位', '单位名称', '所在单位'] },
	{ key: 'type', zh: '类型', en: 'type', aliases: ['资源类型', '类别'] },
	{ key: 'title', zh: '标题', en: 'title', aliases: ['资源', '资源名称', '资源标题', '名称'] },
	{ key: 'description', zh: '描述', en: 'description', aliases: ['资源描述', '具体内容', '内容', '说明'] },
	{ key: 'quantity', zh: '数量', en: 'quantity', aliases: ['数量或金额', '规模'] },
	{ key: 'availability', zh: '可提供时间', en: 'availability', aliases: ['提供时间', '时间'] },
	{ key: 'contact', zh: '联系方式', en: 'contact', aliases: ['联系人及电话'] },
	{ key: 'status', zh: '状态', en: 'status', aliases: [] },
	SEQUENCE
];

function headerKey(raw: string): string {
	return raw
		.normalize('NFKC')
		.trim()
		.replace(/^\*+|\*+$/g, '')
		.replace(/[（(][^）)]*[）)]$/, '') // "类别（必填）", "单位(全称)"
		.trim()
		.toLowerCase()
		.replace(/[\s-]+/g, '_');
}

function specFor<K extends string>(raw: string, columns: readonly ColumnSpec<K>[]): ColumnSpec<K> | undefined {
	const key = headerKey(raw);
	if (key === '') return undefined;
	return columns.find((c) => [c.zh, c.en, ...c.aliases].some((alias) => headerKey(alias) === key));
}

interface SheetRow<K extends string> {
	line: number;
	cells: Partial<Record<K, string>>;
}

interface Sheet<K extends string> {
	rows: SheetRow<K>[];
	has: (key: K) => boolean;
	/** The column's header as written in the file (or in the file's language when absent). */
	label: (key: K) => string;
	errors: BoardSheetError[];
}

const isBlank = (row: string[] | undefined) => !row || row.every((c) => c.trim() === '');

/** The header is the first row that names a known column, among the first few that hold anything. */
function findHeader<K extends string>(rows: string[][], columns: readonly ColumnSpec<K>[]): number {
	let first = -1;
	let seen = 0;
	for (let i = 0; i < rows.length && seen < HEADER_SEARCH_ROWS; i++) {
		const row = rows[i];
		if (isBlank(row)) continue;
		if (first === -1) first = i;
		seen++;
		if (row!.some((cell) => {
			const key: string | undefined = specFor(cell, columns)?.key;
			return key !== undefined && key !== 'seq';
		}))
			return i;
	}
	return first;
}

function interpret<K extends string>(read: SheetRows, columns: readonly ColumnSpec<K>[], required: readonly K[]): Sheet<K> {
	const failed = (errors: BoardSheetError[]): Sheet<K> => ({ rows: [], has: () => false, label: (k) => k, errors });
	if (read.errors.some((e) => e.line === 0)) return failed(read.errors);
	const headerIndex = findHeader(read.rows, columns);
	if (headerIndex === -1) return failed(read.errors.length > 0 ? read.errors : [{ line: 0, key: 'csv.empty' }]);
	const header = read.rows[headerIndex]!;
	const headerLine = headerIndex + 1;
	const errors = [...read.errors];
	const index = new Map<K, number>();
	const labels = new Map<K, string>();
	for (const [i, raw] of header.entries()) {
		const name = raw.trim();
		if (name === '') continue;
		const spec = specFor(raw, columns);
		if (!spec) errors.push({ line: headerLine, column: name, key: 'csv.unknownColumn', params: { name } });
		else if (index.has(spec.key)) errors.push({ line: headerLine, column: name, key: 'csv.duplicateColumn', params: { name } });
		else {
			index.set(spec.key, i);
			labels.set(spec.key, name);
		}
	}
	// Name a missing column in the language the rest of the header is written in.
	const chinese = header.some((c) => /\p{Script=Han}/u.test(c));
	const label = (key: K) => labels.get(key) ?? columns.find((c) => c.key === key)?.[chinese ? 'zh' : 'en'] ?? key;
	const missing = required.filter((key) => !index.has(key));
	for (const key of missing) errors.push({ line: headerLine, column: label(key), key: 'csv.missingColumn', params: { name: label(key) } });
	// Without a required column every row would repeat the same complaint; the header is fixed first.
	if (missing.length > 0) return { rows: [], has: (key) => index.has(key), label, errors };
	const data = read.rows.map((cells, i) => ({ line: i + 1, cells })).filter((r) => r.line > headerLine && !isBlank(r.cells));
	if (data.length > CSV_MAX_ROWS) return failed([{ line: 0, key: 'csv.tooManyRows', params: { count: data.length, max: CSV_MAX_ROWS } }]);
	if (data.length === 0 && errors.length === 0) return failed([{ line: 0, key: 'csv.noRows' }]);
	const used = new Set(index.values());
	const rows: SheetRow<K>[] = [];
	for (const record of data) {
		// A spacer column without a header is fine while it is empty; a value in it is not read, so say so.
		const stray = record.cells.findIndex((c, i) => !used.has(i) && (header[i] ?? '').trim() === '' && c.trim() !== '');
		if (stray !== -1) {
			errors.push({ line: record.line, key: 'boardSheet.error.valueWithoutHeader', params: { column: columnLetter(stray + 1) } });
			continue;
		}
		const cells: Partial<Record<K, string>> = {};
		for (const [key, i] of index) cells[key] = record.cells[i] ?? '';
		rows.push({ line: record.line, cells });
	}
	return { rows, has: (key) => index.has(key), label, errors };
}

function finalErrors(errors: BoardSheetError[]): BoardSheetError[] {
	const sorted = [...errors].sort((a, b) => a.line - b.line);
	if (sorted.length <= CSV_MAX_REPORTED_ERRORS) return sorted;
	const shown = sorted.slice(0, CSV_MAX_REPORTED_ERRORS);
	shown.push({ line: 0, key: 'csv.moreErrors', params: { count: sorted.length - CSV_MAX_REPORTED_ERRORS } });
	return shown;
}

class RowProblems<K extends string> {
	readonly list: BoardSheetError[] = [];
	constructor(
		private readonly line: number,
		private readonly label: (key: K) => string
	) {}

	add(key: BoardSheetErrorKey, column: K | null, params?: MessageParams): void {
		this.list.push({ line: this.line, ...(column ? { column: this.label(column) } : {}), key, ...(params ? { params } : {}) });
	}
}

const chars = (s: string) => [...s].length;

/** One-line fields: a line break typed with Alt+Enter becomes a space. */
function lineText<K extends string>(row: SheetRow<K>, key: K & (NeedTextField | ResourceTextField), problems: RowProblems<K>): string {
	const value = (row.cells[key] ?? '').replace(/\s*[\r\n]+\s*/g, ' ').trim();
	if (chars(value) > TEXT_MAX[key]) problems.add('csv.tooLong', key, { max: TEXT_MAX[key] });
	return value;
}

function longText<K extends string>(row: SheetRow<K>, key: K & (NeedTextField | ResourceTextField), problems: RowProblems<K>): string {
	const value = (row.cells[key] ?? '').replace(/\r\n?/g, '\n').trim();
	if (chars(value) > TEXT_MAX[key]) problems.add('csv.tooLong', key, { max: TEXT_MAX[key] });
	return value;
}

function choice<K extends string, T extends string>(
	row: SheetRow<K>,
	key: K,
	parse: (raw: string) => T | null,
	fallback: T | null,
	unknown: BoardSheetErrorKey,
	problems: RowProblems<K>,
	params: MessageParams = {}
): T | null {
	const raw = (row.cells[key] ?? '').trim();
	if (raw === '') {
		if (fallback === null) problems.add('csv.required', key);
		return fallback;
	}
	const value = parse(raw);
	if (value === null) problems.add(unknown, key, { ...params, value: raw });
	return value;
}

/** Titles compare as a person reads them: width, case and spacing do not make two cards different. */
const titleKey = (title: string) => title.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();

// ---------------------------------------------------------------- needs

export interface NeedPreviewRow {
	line: number;
	title: string;
	description: string;
	category: string;
	/** The category as the district names it, for the preview. */
	categoryLabel: { zh: string; en: string };
	source: NeedSource;
	place: string;
	priority: NeedPriority;
	status: NeedStatus;
	/** A card with this title is already on the board: importing adds a second one. */
	onBoard: boolean;
}

export interface ResourcePreviewRow {
	line: number;
	unitId: string;
	unitName: string;
	type: ResourceType;
	title: string;
	description: string;
	quantity: string;
	availability: string;
	contact: string;
	status: ResourceStatus;
	onBoard: boolean;
}

export interface SheetPreview<Row> {
	rows: Row[];
	errors: BoardSheetError[];
}

export type SheetImportResult = { ok: true; added: number } | { ok: false; errors: BoardSheetError[] };

async function boardTitles(db: DbOrTx, board: BoardRef): Promise<{ needs: Set<string>; resources: Set<string> }> {
	return readDocument(db, boardDocName(board.committeeId, board.year), (doc) => ({
		needs: new Set(readNeeds(doc).filter((n) => !n.archived).map((n) => titleKey(n.title))),
		resources: new Set(readResources(doc).filter((r) => !r.archived).map((r) => `${r.unitId}\n${titleKey(r.title)}`))
	}));
}

async function planNeeds(db: DbOrTx, board: BoardRef, read: SheetRows): Promise<SheetPreview<NeedPreviewRow>> {
	const sheet = interpret(read, NEED_COLUMNS, ['title']);
	if (sheet.errors.some((e) => e.line === 0)) return { rows: [], errors: finalErrors(sheet.errors) };
	const existing = await boardTitles(db, board);
	const categories = await needCategoriesOfCommittee(db, board.committeeId);
	const parseCategory = categoryParser(categories);
	const allowedCategories = liveCategoryLabels(categories).join('、');
	const errors = [...sheet.errors];
	const rows: NeedPreviewRow[] = [];
	const seen = new Map<string, number>();
	for (const row of sheet.rows) {
		const problems = new RowProblems(row.line, sheet.label);
		const title = lineText(row, 'title', problems);
		if (title === '') problems.add('csv.required', 'title');
		const key = titleKey(title);
		const first = seen.get(key);
		if (title !== '' && first !== undefined) problems.add('boardSheet.error.duplicateTitle', 'title', { value: title, firstLine: first });
		else if (title !== '') seen.set(key, row.line);
		const description = longText(row, 'description', problems);
		const place = lineText(row, 'place', problems);
		const category = choice(row, 'category', parseCategory, OTHER_CATEGORY, 'boardSheet.error.unknownCategory', problems, { allowed: allowedCategories });
		const source = choice(row, 'source', parseSource, 'residents', 'boardSheet.error.unknownSource', problems);
		const priority = choice(row, 'priority', parsePriority, 'medium', 'boardSheet.error.unknownPriority', problems);
		const status = choice(row, 'status', parseNeedStatus, 'open', 'boardSheet.error.unknownNeedStatus', problems);
		errors.push(...problems.list);
		if (problems.list.length > 0 || !category || !source || !priority || !status) continue;
		const categoryLabel = { zh: labelOf(categories, category, 'zh-CN'), en: labelOf(categories, category, 'en') };
		rows.push({ line: row.line, title, description, category, categoryLabel, source, place, priority, status, onBoard: existing.needs.has(key) });
	}
	return { rows, errors: finalErrors(errors) };
}

/** What importing this file of needs would add to the board, and every problem in it. */
export async function previewNeeds(db: DbOrTx, board: BoardRef, bytes: Uint8Array, filename: string, _who: SheetUser): Promise<SheetPreview<NeedPreviewRow>> {
	return planNeeds(db, board, await readSheetRows(bytes, filename, 'needs'));
}

/** Checks the file again (the preview may be stale) and adds every row as a card in one change, or nothing. */
export async function importNeeds(db: DbOrTx, board: BoardRef, bytes: Uint8Array, filename: string, who: SheetUser): Promise<SheetImportResult> {
	const plan = await planNeeds(db, board, await readSheetRows(bytes, filename, 'needs'));
	if (plan.errors.length > 0) return { ok: false, errors: plan.errors };
	await editDocument(db, boardDocName(board.committeeId, board.year), (doc) => {
		const first = nextOrder(needsMap(doc));
		for (const [i, r] of plan.rows.entries()) {
			const id = addNeed(doc, {
				order: first + i,
				title: r.title,
				description: r.description,
				place: r.place,
				category: r.category,
				source: r.source,
				priority: r.priority,
				submittedBy: who.id,
				submittedByName: who.name
			});
			setStatus(doc, 'needs', id, r.status, 'open');
		}
	});
	await recordAudit(db, { actorId: who.id, action: 'board.imported', subject: boardDocName(board.committeeId, board.year), details: { kind: 'needs', added: plan.rows.length, file: filename } });
	return { ok: true, added: plan.rows.length };
}

/** addNeed/addResource start every card at the first status; an imported list may be further along. */
function setStatus(doc: Y.Doc, list: BoardSheetKind, id: string, status: string, initial: string): void {
	if (status === initial) return;
	const card = (list === 'needs' ? needsMap(doc) : resourcesMap(doc)).get(id);
	if (card) setCardValue(card, 'status', status);
}

// ---------------------------------------------------------------- resources

const unitKey = (name: string) => name.normalize('NFKC').replace(/\s+/g, '').toLowerCase();

async function planResources(db: DbOrTx, board: BoardRef, read: SheetRows, who: SheetUser): Promise<SheetPreview<ResourcePreviewRow>> {
	const partTime = who.role === 'part_time';
	// A part-time member imports for the unit they represent; the column may then be left out.
	const sheet = interpret(read, RESOURCE_COLUMNS, partTime ? ['type', 'title'] : ['unit', 'type', 'title']);
	if (sheet.errors.some((e) => e.line === 0)) return { rows: [], errors: finalErrors(sheet.errors) };
	if (partTime && !who.unitId) return { rows: [], errors: [{ line: 0, key: 'boardSheet.error.noOwnUnit' }] };
	const members = await memberUnits(db, board.committeeId);
	const byName = new Map(members.map((u) => [unitKey(u.name), u]));
	const own = partTime ? members.find((u) => u.id === who.unitId) : undefined;
	const existing = await boardTitles(db, board);
	const errors = [...sheet.errors];
	const rows: ResourcePreviewRow[] = [];
	const seen = new Map<string, number>();
	for (const row of sheet.rows) {
		const problems = new RowProblems(row.line, sheet.label);
		const unit = resourceUnit(row, problems, byName, partTime ? (own ?? { id: who.unitId ?? '', name: '' }) : null);
		const type = choice(row, 'type', parseType, null, 'boardSheet.error.unknownType', problems);
		const title = lineText(row, 'title', problems);
		if (title === '') problems.add('csv.required', 'title');
		const key = `${unit?.id ?? ''}\n${titleKey(title)}`;
		const first = seen.get(key);
		if (unit && title !== '' && first !== undefined) problems.add('boardSheet.error.duplicateResource', 'title', { value: title, unit: unit.name, firstLine: first });
		else if (unit && title !== '') seen.set(key, row.line);
		const description = longText(row, 'description', problems);
		const quantity = lineText(row, 'quantity', problems);
		const availability = lineText(row, 'availability', problems);
		const contact = lineText(row, 'contact', problems);
		const status = choice(row, 'status', parseResourceStatus, 'available', 'boardSheet.error.unknownResourceStatus', problems);
		errors.push(...problems.list);
		if (problems.list.length > 0 || !unit || !type || !status) continue;
		rows.push({ line: row.line, unitId: unit.id, unitName: unit.name, type, title, description, quantity, availability, contact, status, onBoard: existing.resources.has(key) });
	}
	return { rows, errors: finalErrors(errors) };
}

function resourceUnit(
	row: SheetRow<ResourceColumn>,
	problems: RowProblems<ResourceColumn>,
	byName: Map<string, { id: string; name: string }>,
	own: { id: string; name: string } | null
): { id: string; name: string } | null {
	const raw = (row.cells.unit ?? '').replace(/\s*[\r\n]+\s*/g, ' ').trim();
	if (raw === '') {
		if (own) return own;
		problems.add('csv.required', 'unit');
		return null;
	}
	const unit = byName.get(unitKey(raw));
	if (!unit) {
		problems.add('boardSheet.error.notMemberUnit', 'unit', { value: raw });
		return null;
	}
	// The collaboration server refuses such cards from a part-time member (boardRules); so does the import.
	if (own && unit.id !== own.id) {
		problems.add('boardSheet.error.otherUnit', 'unit', { value: raw });
		return null;
	}
	return unit;
}

export async function previewResources(db: DbOrTx, board: BoardRef, bytes: Uint8Array, filename: string, who: SheetUser): Promise<SheetPreview<ResourcePreviewRow>> {
	return planResources(db, board, await readSheetRows(bytes, filename, 'resources'), who);
}

export async function importResources(db: DbOrTx, board: BoardRef, bytes: Uint8Array, filename: string, who: SheetUser): Promise<SheetImportResult> {
	const plan = await planResources(db, board, await readSheetRows(bytes, filename, 'resources'), who);
	if (plan.errors.length > 0) return { ok: false, errors: plan.errors };
	await editDocument(db, boardDocName(board.committeeId, board.year), (doc) => {
		const first = nextOrder(resourcesMap(doc));
		for (const [i, r] of plan.rows.entries()) {
			const id = addResource(doc, {
				order: first + i,
				unitId: r.unitId,
				type: r.type,
				title: r.title,
				description: r.description,
				quantity: r.quantity,
				availability: r.availability,
				contact: r.contact,
				createdBy: who.id
			});
			setStatus(doc, 'resources', id, r.status, 'available');
		}
	});
	await recordAudit(db, { actorId: who.id, action: 'board.imported', subject: boardDocName(board.committeeId, board.year), details: { kind: 'resources', added: plan.rows.length, file: filename } });
	return { ok: true, added: plan.rows.length };
}

// ---------------------------------------------------------------- export and templates

interface SheetColumn {
	header: string;
	/** Upper bound of the width in characters; long text wraps inside it. */
	max: number;
	wrap?: boolean;
}

const NEED_SHEET: SheetColumn[] = [
	{ header: '标题', max: 40 },
	{ header: '描述', max: 60, wrap: true },
	{ header: '类别', max: 12 },
	{ header: '来源', max: 12 },
	{ header: '小区或地点', max: 24 },
	{ header: '优先级', max: 8 },
	{ header: '状态', max: 10 }
];
const RESOURCE_SHEET: SheetColumn[] = [
	{ header: '单位', max: 30 },
	{ header: '类型', max: 8 },
	{ header: '标题', max: 40 },
	{ header: '描述', max: 60, wrap: true },
	{ header: '数量', max: 20 },
	{ header: '可提供时间', max: 24 },
	{ header: '联系方式', max: 28 },
	{ header: '状态', max: 10 }
];
const PROJECT_SHEET: SheetColumn[] = [
	{ header: '项目', max: 50, wrap: true },
	{ header: '责任单位', max: 40, wrap: true },
	{ header: '完成时限', max: 12 },
	{ header: '状态', max: 10 }
];

/** Width as a spreadsheet measures it: a Chinese character takes two columns of a Latin one. */
function displayWidth(text: string): number {
	let w = 0;
	for (const ch of text.split('\n')[0] ?? '') w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? 2 : 1;
	return w;
}

function addSheet(workbook: ExcelJS.Workbook, name: string, columns: SheetColumn[], rows: string[][]): ExcelJS.Worksheet {
	const ws = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
	ws.addRow(columns.map((c) => c.header));
	for (const r of rows) ws.addRow(r);
	const header = ws.getRow(1);
	header.font = { bold: true };
	header.alignment = { vertical: 'middle' };
	header.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFF3F4F6' } };
	for (const [i, c] of columns.entries()) {
		const widest = Math.max(displayWidth(c.header), ...rows.map((r) => displayWidth(r[i] ?? '')));
		const column = ws.getColumn(i + 1);
		column.width = Math.min(c.max, Math.max(8, widest + 2));
		column.alignment = { vertical: 'top', wrapText: c.wrap === true };
	}
	ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } };
	return ws;
}

function uuidLike(id: string): boolean {
	return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
}

async function unitNames(db: DbOrTx, ids: string[]): Promise<Map<string, string>> {
	const wanted = [...new Set(ids.filter(uuidLike))];
	if (wanted.length === 0) return new Map();
	const rows = await db.select({ id: units.id, name: units.name }).from(units).where(inArray(units.id, wanted));
	return new Map(rows.map((r) => [r.id, r.name]));
}

/** The year's project list as the board shows it (projectItemsOfYear), with the status a person sees. */
async function projectRows(db: DbOrTx, board: BoardRef): Promise<string[][]> {
	const items = await projectItemsOfYear(db, board.committeeId, board.year);
	return items.map((i) => [i.title, i.units.map((u) => u.name).join('、'), i.dueDate ?? '', PROJECT_STATUS_LABELS[i.displayStatus]]);
}

/** The three lists of a board year as one workbook; archived cards are left out. */
export async function exportBoard(db: DbOrTx, board: BoardRef): Promise<Buffer> {
	const cards = await readDocument(db, boardDocName(board.committeeId, board.year), (doc) => ({
		needs: readNeeds(doc).filter((n) => !n.archived),
		resources: readResources(doc).filter((r) => !r.archived)
	}));
	const names = await unitNames(db, cards.resources.map((r) => r.unitId));
	const categories = await needCategoriesOfCommittee(db, board.committeeId);
	const workbook = new ExcelJS.Workbook();
	workbook.creator = 'gongjian';
	addSheet(
		workbook,
		'需求清单',
		NEED_SHEET,
		cards.needs.map((n) => [n.title, n.description, labelOf(categories, n.category, 'zh-CN'), NEED_SOURCE_LABELS[n.source], n.place, NEED_PRIORITY_LABELS[n.priority], NEED_STATUS_LABELS[n.status]])
	);
	addSheet(
		workbook,
		'资源清单',
		RESOURCE_SHEET,
		cards.resources.map((r) => [names.get(r.unitId) ?? '', RESOURCE_TYPE_LABELS[r.type], r.title, r.description, r.quantity, r.availability, r.contact, RESOURCE_STATUS_LABELS[r.status]])
	);
	addSheet(workbook, '项目清单', PROJECT_SHEET, await projectRows(db, board));
	return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** Offers the allowed values as a drop-down in the rows people fill in. */
function dropDown(ws: ExcelJS.Worksheet, column: number, labels: string[], rows: number): void {
	for (let r = 2; r <= rows + 1; r++) {
		ws.getCell(r, column).dataValidation = {
			type: 'list',
			allowBlank: true,
			formulae: [`"${labels.join(',')}"`],
			showErrorMessage: true,
			errorStyle: 'warning',
			errorTitle: '不在可选范围内',
			error: `可填：${labels.join('、')}`
		};
	}
}

const TEMPLATE_ROWS = 500;

/** A workbook to fill in: the header the import reads, one example row, drop-downs and a sheet of instructions. */
export async function templateFor(kind: BoardSheetKind, categories: readonly NeedCategory[] = DEFAULT_NEED_CATEGORIES): Promise<Buffer> {
	const workbook = new ExcelJS.Workbook();
	workbook.creator = 'gongjian';
	const help = kind === 'needs' ? needHelp(categories) : RESOURCE_HELP;
	if (kind === 'needs') {
		const columns = NEED_SHEET.slice(0, 6);
		const ws = addSheet(workbook, '需求清单', columns, [['老旧小区加装电梯协调', '3 号楼老人多，上下楼困难，居民希望协调加装电梯。', '基础设施', '居民反映', '幸福里小区', '高']]);
		dropDown(ws, 3, liveCategoryLabels(categories), TEMPLATE_ROWS);
		dropDown(ws, 4, NEED_SOURCES.map((v) => NEED_SOURCE_LABELS[v]), TEMPLATE_ROWS);
		dropDown(ws, 6, NEED_PRIORITIES.map((v) => NEED_PRIORITY_LABELS[v]), TEMPLATE_ROWS);
	} else {
		const columns = RESOURCE_SHEET.slice(0, 7);
		const ws = addSheet(workbook, '资源清单', columns, [['区人民医院', '服务', '义诊进社区', '每月组织内科、眼科医生到社区义诊一次。', '每月 1 次', '每月第一个周六上午', '张医生 010-12345678']]);
		dropDown(ws, 2, RESOURCE_TYPES.map((v) => RESOURCE_TYPE_LABELS[v]), TEMPLATE_ROWS);
	}
	const sheet = workbook.addWorksheet('填写说明');
	sheet.addRow(['列', '说明']).font = { bold: true };
	for (const line of help) sheet.addRow(line);
	sheet.getColumn(1).width = 14;
	sheet.getColumn(2).width = 90;
	sheet.getColumn(2).alignment = { wrapText: true, vertical: 'top' };
	return Buffer.from(await workbook.xlsx.writeBuffer());
}

const needHelp = (categories: readonly NeedCategory[]): string[][] => [
	['标题', `必填，不超过 ${TEXT_MAX.title} 字；同一文件中不能重复。`],
	['描述', `选填，不超过 ${TEXT_MAX.description} 字。`],
	['类别', `选填，默认“其他”。可填：${liveCategoryLabels(categories).join('、')}。`],
	['来源', `选填，默认“居民反映”。可填：${listOf(NEED_SOURCES, NEED_SOURCE_LABELS)}。`],
	['小区或地点', `选填，不超过 ${TEXT_MAX.place} 字。`],
	['优先级', `选填，默认“中”。可填：${listOf(NEED_PRIORITIES, NEED_PRIORITY_LABELS)}。`],
	['状态', `可不设此列，默认“待对接”。可填：${listOf(NEED_STATUSES, NEED_STATUS_LABELS)}。`],
	['', '示例行请删除或改写后再导入。导入前会先预览；文件中只要还有一处错误，就一行也不会导入。']
];

const RESOURCE_HELP: string[][] = [
	['单位', '必填，须是本委员会的成员单位，写全称。兼职委员只能填写本单位，也可以不填（即本单位）。'],
	['类型', `必填。可填：${listOf(RESOURCE_TYPES, RESOURCE_TYPE_LABELS)}。`],
	['标题', `必填，不超过 ${TEXT_MAX.title} 字；同一单位的资源标题不能重复。`],
	['描述', `选填，不超过 ${TEXT_MAX.description} 字。`],
	['数量', `选填，如“10 人”“5 万元”，不超过 ${TEXT_MAX.quantity} 字。`],
	['可提供时间', `选填，不超过 ${TEXT_MAX.availability} 字。`],
	['联系方式', `选填，不超过 ${TEXT_MAX.contact} 字。`],
	['状态', `可不设此列，默认“可提供”。可填：${listOf(RESOURCE_STATUSES, RESOURCE_STATUS_LABELS)}。`],
	['', '示例行请删除或改写后再导入。导入前会先预览；文件中只要还有一处错误，就一行也不会导入。']
];

// ---------------------------------------------------------------- for the routes

export const BOARD_YEAR_MIN = 2000;
export const BOARD_YEAR_MAX = 2100;

export interface BoardSheetAccess {
	committee: { id: string; name: string };
	year: number;
	access: Access;
	canWrite: boolean;
	who: SheetUser;
}

/**
 * The board behind a URL if the person may see it; null (a 404 for the route) for a malformed
 * year, an unknown committee or one that is not theirs.
 */
export async function boardSheetAccess(db: DbOrTx, user: SessionUser, committeeId: string, yearParam: string): Promise<BoardSheetAccess | null> {
	if (!/^\d{4}$/.test(yearParam)) return null;
	const year = Number(yearParam);
	if (year < BOARD_YEAR_MIN || year > BOARD_YEAR_MAX) return null;
	const committee = await visibleCommittee(db, user, committeeId);
	if (!committee) return null;
	const doc = await resolveDocAccess(db, user, { kind: 'board', committeeId: committee.id, year });
	if (!doc.found || doc.access === 'none') return null;
	return {
		committee: { id: committee.id, name: committee.name },
		year,
		access: doc.access,
		canWrite: atLeast(doc.access, 'write'),
		who: { id: user.id, name: user.displayName, role: doc.role, unitId: doc.unitId }
	};
}

/**
 * Content-Disposition for a download with a Chinese name: an ASCII name for old clients and
 * the real one as RFC 5987 `filename*` (which every current browser prefers).
 */
export function attachmentDisposition(asciiName: string, name: string): string {
	const ascii = asciiName.replace(/[^\x20-\x7e]|["\\]/g, '_');
	const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
	return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** A committee's name as part of a file name: without the characters Windows refuses in one. */
export function fileNamePart(name: string): string {
	const cleaned = name.replace(/[\\/:*?"<>|\x00-\x1f]/g, '_').trim();
	return cleaned === '' ? 'board' : cleaned;
}

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
