import { eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from './db';
import { auditLog, districts, memberships, units, users, type UnitKind } from './db/schema';
import type { CommitteeRole } from '../domain/roles';
import { hashPassword, passwordProblem, PASSWORD_MAX, PASSWORD_MIN } from './auth/password';
import { listCommittees, type CommitteeSummary } from './committee';
import { CONTACT_NAME_MAX, CONTACT_PHONE_MAX, NAME_MAX, checkName, cleanContactName, cleanPhone, phoneProblem, type MessageParams } from './organisation';
import { USERNAME_PATTERN, randomPassword } from './user';

/*
 * Bulk import of member units and committee members from CSV, as exported by Excel or WPS.
 * A district has ~90 units and a few hundred committee members; typing them in is not an option.
 *
 * Every import is two steps: a preview that says what each row will do and lists every problem
 * with its line number, then the import itself, which validates again and writes all rows in
 * one transaction or none at all. A file is fixed in the spreadsheet and uploaded again, so a
 * half-imported file would only create confusion.
 */

export const CSV_MAX_BYTES = 1024 * 1024;
export const CSV_MAX_ROWS = 5000;
/** More than this and the list stops helping; the rest is summarised in one entry. */
export const CSV_MAX_REPORTED_ERRORS = 200;

export type CsvErrorKey =
	| 'csv.fileTooLarge'
	| 'csv.empty'
	| 'csv.noRows'
	| 'csv.tooManyRows'
	| 'csv.unterminatedQuote'
	| 'csv.badQuote'
	| 'csv.missingColumn'
	| 'csv.unknownColumn'
	| 'csv.duplicateColumn'
	| 'csv.emptyColumnName'
	| 'csv.tooManyFields'
	| 'csv.required'
	| 'csv.tooLong'
	| 'csv.unknownKind'
	| 'csv.badPhone'
	| 'csv.duplicateInFile'
	| 'csv.badUsername'
	| 'csv.unknownCommittee'
	| 'csv.ambiguousCommittee'
	| 'csv.unknownRole'
	| 'csv.unknownUnit'
	| 'csv.partTimeWithoutUnit'
	| 'csv.passwordTooShort'
	| 'csv.passwordTooLong'
	| 'csv.duplicateMembership'
	| 'csv.conflictingUser'
	| 'csv.lastConvener'
	| 'csv.noDistrict'
	| 'csv.ambiguousDistrict'
	| 'csv.districtNotFound'
	| 'csv.moreErrors';

export interface CsvError {
	/** 1-based line of the file (the header is line 1); 0 when the problem is the whole file. */
	line: number;
	/** The column's header as written in the file. */
	column?: string;
	key: CsvErrorKey;
	params?: MessageParams;
}

/** Raw bytes of an upload (any encoding Excel or WPS writes) or already decoded text. */
export type CsvInput = string | Uint8Array;

export type RowAction = 'create' | 'update' | 'unchanged';

// ---------------------------------------------------------------- decoding and parsing

/**
 * Decodes an uploaded file. Excel's "CSV UTF-8" starts with a BOM; its plain "CSV" on a Chinese
 * Windows is written in the ANSI code page (GBK), and "Unicode text" in UTF-16 — all are accepted.
 */
export function decodeCsv(bytes: Uint8Array): string {
	if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
	if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
	try {
		return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
	} catch (err) {
		// Not UTF-8 means a legacy Chinese encoding, which GB18030 (a superset of GBK) reads.
		if (!(err instanceof TypeError)) throw err;
		return new TextDecoder('gb18030').decode(bytes);
	}
}

export interface CsvRecord {
	/** Line of the file on which the record starts (quoted fields may span lines). */
	line: number;
	fields: string[];
}

function detectDelimiter(text: string): string {
	const end = text.search(/[\r\n]/);
	const first = end === -1 ? text : text.slice(0, end);
	// Excel's "Unicode text" export separates with tabs; everything else here uses commas.
	return !first.includes(',') && first.includes('\t') ? '\t' : ',';
}

/** RFC 4180, plus what hand-edited files contain: blanks around quoted fields, LF or lone CR line ends. */
class CsvReader {
	readonly records: CsvRecord[] = [];
	readonly errors: CsvError[] = [];
	private fields: string[] = [];
	private field = '';
	private state: 'start' | 'plain' | 'quoted' | 'closed' = 'start';
	private line = 1;
	private recordLine = 1;
	private quoteLine = 1;
	private recordFaulty = false;

	constructor(
		private readonly text: string,
		private readonly delimiter: string
	) {}

	read(): void {
		const text = this.text;
		for (let i = 0; i < text.length; i++) {
			const c = text.charAt(i);
			const crlf = c === '\r' && text.charAt(i + 1) === '\n';
			if (this.state === 'quoted') {
				if (c === '"' && text.charAt(i + 1) === '"') {
					this.field += '"';
					i++;
				} else if (c === '"') {
					this.state = 'closed';
				} else if (c === '\r' || c === '\n') {
					this.field += '\n';
					this.line++;
					if (crlf) i++;
				} else {
					this.field += c;
				}
			} else if (c === this.delimiter) {
				this.endField();
			} else if (c === '\r' || c === '\n') {
				this.endRecord();
				this.line++;
				this.recordLine = this.line;
				if (crlf) i++;
			} else {
				this.outsideQuotes(c);
			}
		}
		this.finish();
	}

	private outsideQuotes(c: string): void {
		if (this.state === 'start' && c === '"' && this.field.trim() === '') {
			this.field = '';
			this.state = 'quoted';
			this.quoteLine = this.line;
			return;
		}
		if (this.state === 'start' && (c === ' ' || c === '\t')) {
			// Might be the blank before an opening quote; kept in case the field is unquoted.
			this.field += c;
			return;
		}
		if (this.state === 'closed') {
			if (c === ' ' || c === '\t') return;
			if (!this.recordFaulty) this.errors.push({ line: this.line, key: 'csv.badQuote' });
			this.recordFaulty = true;
		}
		this.state = this.state === 'closed' ? 'closed' : 'plain';
		this.field += c;
	}

	private endField(): void {
		this.fields.push(this.field);
		this.field = '';
		this.state = 'start';
	}

	private endRecord(): void {
		this.endField();
		if (!this.recordFaulty) this.records.push({ line: this.recordLine, fields: this.fields });
		this.fields = [];
		this.recordFaulty = false;
	}

	private finish(): void {
		if (this.state === 'quoted') {
			// Everything after the quote was swallowed into one field: nothing in it is a record.
			this.errors.push({ line: this.quoteLine, key: 'csv.unterminatedQuote' });
			return;
		}
		if (this.fields.length > 0 || this.field !== '' || this.state !== 'start') this.endRecord();
	}
}

/** Parses CSV text (a leading BOM is dropped). Records with quoting errors are left out and reported. */
export function parseCsv(text: string): { records: CsvRecord[]; errors: CsvError[] } {
	const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
	const reader = new CsvReader(source, detectDelimiter(source));
	reader.read();
	return { records: reader.records, errors: reader.errors };
}

// ---------------------------------------------------------------- header and rows

interface ColumnSpec<K extends string> {
	key: K;
	zh: string;
	en: string;
	aliases: readonly string[];
	required: boolean;
}

function headerKey(raw: string): string {
	return raw
		.normalize('NFKC')
		.trim()
		.replace(/^\*+|\*+$/g, '')
		.trim()
		.toLowerCase()
		.replace(/[\s-]+/g, '_');
}

interface SheetRow<K extends string> {
	line: number;
	cells: Partial<Record<K, string>>;
}

interface Sheet<K extends string> {
	rows: SheetRow<K>[];
	/** Header text as written in the file, for messages. */
	label: (key: K) => string;
	has: (key: K) => boolean;
	errors: CsvError[];
}

function failed<K extends string>(errors: CsvError[]): Sheet<K> {
	return { rows: [], label: (key) => key, has: () => false, errors };
}

function isBlank(record: CsvRecord): boolean {
	return record.fields.every((f) => f.trim() === '');
}

function inputText(input: CsvInput): { text: string } | { error: CsvError } {
	const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
	if (size > CSV_MAX_BYTES) return { error: { line: 0, key: 'csv.fileTooLarge', params: { size, max: CSV_MAX_BYTES } } };
	return { text: typeof input === 'string' ? input : decodeCsv(input) };
}

function resolveHeader<K extends string>(header: CsvRecord, columns: readonly ColumnSpec<K>[]) {
	const errors: CsvError[] = [];
	const index = new Map<K, number>();
	const labels = new Map<K, string>();
	const cells = [...header.fields];
	while (cells.length > 0 && cells[cells.length - 1]?.trim() === '') cells.pop();
	for (const [i, raw] of cells.entries()) {
		const key = headerKey(raw);
		const name = raw.trim();
		const spec = columns.find((c) => [c.zh, c.en, ...c.aliases].some((alias) => headerKey(alias) === key));
		if (key === '') errors.push({ line: header.line, key: 'csv.emptyColumnName', params: { position: i + 1 } });
		else if (!spec) errors.push({ line: header.line, column: name, key: 'csv.unknownColumn', params: { name } });
		else if (index.has(spec.key)) errors.push({ line: header.line, column: name, key: 'csv.duplicateColumn', params: { name } });
		else {
			index.set(spec.key, i);
			labels.set(spec.key, name);
		}
	}
	// Name a missing column in the language the rest of the header is written in.
	const chinese = cells.some((c) => /\p{Script=Han}/u.test(c));
	for (const spec of columns) {
		if (spec.required && !index.has(spec.key)) {
			const name = chinese ? spec.zh : spec.en;
			errors.push({ line: header.line, column: name, key: 'csv.missingColumn', params: { name } });
		}
	}
	const label = (key: K) => labels.get(key) ?? columns.find((c) => c.key === key)?.[chinese ? 'zh' : 'en'] ?? key;
	return { index, width: cells.length, label, errors };
}

function readSheet<K extends string>(input: CsvInput, columns: readonly ColumnSpec<K>[]): Sheet<K> {
	const decoded = inputText(input);
	if ('error' in decoded) return failed([decoded.error]);
	const parsed = parseCsv(decoded.text);
	const records = parsed.records.filter((r) => !isBlank(r));
	const [header, ...data] = records;
	if (!header) return failed(parsed.errors.length > 0 ? parsed.errors : [{ line: 0, key: 'csv.empty' }]);
	if (data.length > CSV_MAX_ROWS) return failed([{ line: 0, key: 'csv.tooManyRows', params: { count: data.length, max: CSV_MAX_ROWS } }]);
	if (data.length === 0 && parsed.errors.length === 0) return failed([{ line: 0, key: 'csv.noRows' }]);
	const head = resolveHeader(header, columns);
	const errors = [...parsed.errors, ...head.errors];
	const rows: SheetRow<K>[] = [];
	for (const record of data) {
		const extra = record.fields.slice(head.width).filter((f) => f.trim() !== '');
		if (extra.length > 0) {
			errors.push({ line: record.line, key: 'csv.tooManyFields', params: { count: record.fields.length, expected: head.width } });
			continue;
		}
		const cells: Partial<Record<K, string>> = {};
		// Excel drops trailing empty cells on some rows; a short row means those cells are empty.
		for (const [key, i] of head.index) cells[key] = record.fields[i] ?? '';
		rows.push({ line: record.line, cells });
	}
	return { rows, label: head.label, has: (key) => head.index.has(key), errors };
}

/** Lists errors in file order and keeps the list readable. */
function finalErrors(errors: CsvError[]): CsvError[] {
	const sorted = [...errors].sort((a, b) => a.line - b.line);
	if (sorted.length <= CSV_MAX_REPORTED_ERRORS) return sorted;
	const shown = sorted.slice(0, CSV_MAX_REPORTED_ERRORS);
	shown.push({ line: 0, key: 'csv.moreErrors', params: { count: sorted.length - CSV_MAX_REPORTED_ERRORS } });
	return shown;
}

/** Collects one row's problems, each naming the row's line and the column as headed in the file. */
class RowProblems<K extends string> {
	readonly list: CsvError[] = [];
	constructor(
		private readonly line: number,
		private readonly label: (key: K) => string
	) {}

	add(key: CsvErrorKey, column: K | null, params?: MessageParams): void {
		this.list.push({ line: this.line, ...(column ? { column: this.label(column) } : {}), key, ...(params ? { params } : {}) });
	}

	get ok(): boolean {
		return this.list.length === 0;
	}
}

function chunks<T>(items: T[], size: number): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
	return out;
}

// ---------------------------------------------------------------- units

type UnitColumn = 'name' | 'kind' | 'contactName' | 'contactPhone';

const UNIT_COLUMNS: readonly ColumnSpec<UnitColumn>[] = [
	{ key: 'name', zh: '名称', en: 'name', aliases: ['单位名称', '单位'], required: true },
	{ key: 'kind', zh: '类型', en: 'kind', aliases: ['单位类型', 'type'], required: true },
	{ key: 'contactName', zh: '联系人', en: 'contact_name', aliases: ['contact'], required: false },
	{ key: 'contactPhone', zh: '联系电话', en: 'contact_phone', aliases: ['电话', 'phone'], required: false }
];

const UNIT_KIND_VALUES: Record<string, UnitKind> = {
	agency: 'agency',
	school: 'school',
	hospital: 'hospital',
	enterprise: 'enterprise',
	other: 'other',
	机关: 'agency',
	机关单位: 'agency',
	学校: 'school',
	医院: 'hospital',
	企业: 'enterprise',
	其他: 'other',
	其它: 'other'
};

export function parseUnitKind(raw: string): UnitKind | null {
	return UNIT_KIND_VALUES[raw.normalize('NFKC').trim().toLowerCase()] ?? null;
}

export interface UnitPreviewRow {
	line: number;
	name: string;
	kind: UnitKind;
	/** The values the unit will have; a column missing from the file keeps the stored value. */
	contactName: string;
	contactPhone: string;
	action: RowAction;
	unitId: string | null;
	changes: ('kind' | 'contactName' | 'contactPhone')[];
}

export interface Preview<Row> {
	rows: Row[];
	errors: CsvError[];
}

export interface ImportOptions {
	/** Needed only when more than one district exists. */
	districtId?: string;
}

type ExistingUnit = { id: string; name: string; kind: UnitKind; contactName: string; contactPhone: string };

async function resolveDistrict(db: DbOrTx, districtId: string | undefined): Promise<{ id: string } | { error: CsvError }> {
	if (districtId !== undefined) {
		const [row] = await db.select({ id: districts.id }).from(districts).where(eq(districts.id, districtId)).limit(1);
		return row ?? { error: { line: 0, key: 'csv.districtNotFound' } };
	}
	const rows = await db.select({ id: districts.id }).from(districts).limit(2);
	if (rows.length === 0) return { error: { line: 0, key: 'csv.noDistrict' } };
	if (rows.length > 1 || !rows[0]) return { error: { line: 0, key: 'csv.ambiguousDistrict' } };
	return rows[0];
}

interface UnitValues {
	name: string;
	kind: UnitKind;
	contactName: string | null;
	contactPhone: string | null;
}

function unitValues(row: SheetRow<UnitColumn>, problems: RowProblems<UnitColumn>): UnitValues | null {
	const name = checkName(row.cells.name ?? '');
	if (!name.ok) problems.add(name.problem === 'nameRequired' ? 'csv.required' : 'csv.tooLong', 'name', { max: NAME_MAX });
	const kindText = (row.cells.kind ?? '').trim();
	const kind = parseUnitKind(kindText);
	if (kindText === '') problems.add('csv.required', 'kind');
	else if (!kind) problems.add('csv.unknownKind', 'kind', { value: kindText });
	const contactName = row.cells.contactName === undefined ? null : cleanContactName(row.cells.contactName);
	if (contactName !== null && [...contactName].length > CONTACT_NAME_MAX) problems.add('csv.tooLong', 'contactName', { max: CONTACT_NAME_MAX });
	const contactPhone = row.cells.contactPhone === undefined ? null : cleanPhone(row.cells.contactPhone);
	const phone = contactPhone === null ? null : phoneProblem(contactPhone);
	if (phone === 'tooLong') problems.add('csv.tooLong', 'contactPhone', { max: CONTACT_PHONE_MAX });
	if (phone === 'badPhone') problems.add('csv.badPhone', 'contactPhone', { value: contactPhone ?? '' });
	if (!name.ok || !kind || !problems.ok) return null;
	return { name: name.name, kind, contactName, contactPhone };
}

function unitRow(line: number, values: UnitValues, existing: ExistingUnit | undefined): UnitPreviewRow {
	const contactName = values.contactName ?? existing?.contactName ?? '';
	const contactPhone = values.contactPhone ?? existing?.contactPhone ?? '';
	const after = { kind: values.kind, contactName, contactPhone };
	if (!existing) return { line, name: values.name, ...after, action: 'create', unitId: null, changes: [] };
	const changes = (['kind', 'contactName', 'contactPhone'] as const).filter((field) => existing[field] !== after[field]);
	return { line, name: values.name, ...after, action: changes.length > 0 ? 'update' : 'unchanged', unitId: existing.id, changes };
}

async function planUnits(db: DbOrTx, sheet: Sheet<UnitColumn>, options: ImportOptions): Promise<Preview<UnitPreviewRow> & { districtId: string | null }> {
	if (sheet.errors.some((e) => e.line <= 1)) return { rows: [], errors: finalErrors(sheet.errors), districtId: null };
	const district = await resolveDistrict(db, options.districtId);
	if ('error' in district) return { rows: [], errors: [district.error], districtId: null };
	const stored = await db
		.select({ id: units.id, name: units.name, kind: units.kind, contactName: units.contactName, contactPhone: units.contactPhone })
		.from(units)
		.where(eq(units.districtId, district.id));
	const byName = new Map(stored.map((u) => [u.name, u]));
	const errors = [...sheet.errors];
	const rows: UnitPreviewRow[] = [];
	const firstLine = new Map<string, number>();
	for (const row of sheet.rows) {
		const problems = new RowProblems(row.line, sheet.label);
		const values = unitValues(row, problems);
		const seen = values ? firstLine.get(values.name) : undefined;
		if (values && seen !== undefined) problems.add('csv.duplicateInFile', 'name', { value: values.name, firstLine: seen });
		errors.push(...problems.list);
		if (!values || !problems.ok) continue;
		firstLine.set(values.name, row.line);
		rows.push(unitRow(row.line, values, byName.get(values.name)));
	}
	return { rows, errors: finalErrors(errors), districtId: district.id };
}

export async function previewUnits(db: DbOrTx, input: CsvInput, options: ImportOptions = {}): Promise<Preview<UnitPreviewRow>> {
	const { rows, errors } = await planUnits(db, readSheet(input, UNIT_COLUMNS), options);
	return { rows, errors };
}

export type UnitImportResult = { ok: true; created: number; updated: number; unchanged: number } | { ok: false; errors: CsvError[] };

export async function importUnits(db: Db, input: CsvInput, actorId: string | null, options: ImportOptions = {}): Promise<UnitImportResult> {
	const sheet = readSheet(input, UNIT_COLUMNS);
	return db.transaction(async (tx) => {
		const plan = await planUnits(tx, sheet, options);
		if (plan.errors.length > 0 || plan.districtId === null) return { ok: false, errors: plan.errors };
		const districtId = plan.districtId;
		const writes = plan.rows.filter((r) => r.action !== 'unchanged');
		for (const part of chunks(writes, 1000)) {
			await tx
				.insert(units)
				.values(part.map((r) => ({ districtId, name: r.name, kind: r.kind, contactName: r.contactName, contactPhone: r.contactPhone })))
				.onConflictDoUpdate({
					target: [units.districtId, units.name],
					set: { kind: excluded('kind'), contactName: excluded('contact_name'), contactPhone: excluded('contact_phone') }
				});
		}
		const counts = countActions(plan.rows);
		await tx.insert(auditLog).values({ actorId, action: 'units.imported', subject: `district/${districtId}`, details: { ...counts, source: 'csv' } });
		return { ok: true, ...counts };
	});
}

/** The row an upsert proposed, as Postgres names it in ON CONFLICT DO UPDATE. */
function excluded(column: string): SQL {
	return sql`excluded.${sql.identifier(column)}`;
}

function countActions(rows: { action: RowAction }[]): { created: number; updated: number; unchanged: number } {
	return {
		created: rows.filter((r) => r.action === 'create').length,
		updated: rows.filter((r) => r.action === 'update').length,
		unchanged: rows.filter((r) => r.action === 'unchanged').length
	};
}

// ---------------------------------------------------------------- members

type MemberColumn = 'username' | 'displayName' | 'committee' | 'role' | 'unit' | 'password';

const MEMBER_COLUMNS: readonly ColumnSpec<MemberColumn>[] = [
	{ key: 'username', zh: '用户名', en: 'username', aliases: ['账号', '登录名'], required: true },
	{ key: 'displayName', zh: '姓名', en: 'display_name', aliases: [], required: true },
	{ key: 'committee', zh: '委员会', en: 'committee', aliases: [], required: true },
	{ key: 'role', zh: '角色', en: 'role', aliases: [], required: true },
	{ key: 'unit', zh: '单位', en: 'unit', aliases: ['所在单位'], required: false },
	{ key: 'password', zh: '初始密码', en: 'password', aliases: ['密码'], required: false }
];

const ROLE_VALUES: Record<string, CommitteeRole> = {
	convener: 'convener',
	recorder: 'recorder',
	member: 'member',
	part_time: 'part_time',
	'part-time': 'part_time',
	observer: 'observer',
	书记: 'convener',
	召集人: 'convener',
	记录员: 'recorder',
	委员: 'member',
	兼职委员: 'part_time',
	列席: 'observer'
};

export function parseRole(raw: string): CommitteeRole | null {
	return ROLE_VALUES[raw.normalize('NFKC').trim().toLowerCase()] ?? null;
}

export interface MemberPreviewRow {
	line: number;
	username: string;
	displayName: string;
	/** 'existing' accounts are left as they are (name, password); only the seat is written. */
	user: 'create' | 'existing';
	userId: string | null;
	committeeId: string;
	committeeName: string;
	role: CommitteeRole;
	previousRole: CommitteeRole | null;
	unitId: string | null;
	unitName: string | null;
	action: RowAction;
	/** How a new account gets its password; 'unchanged' for existing accounts. */
	password: 'given' | 'generated' | 'unchanged';
}

interface NewUser {
	line: number;
	username: string;
	displayName: string;
	password: string | null;
	unitId: string | null;
}

interface MemberContext {
	committeesByName: Map<string, CommitteeSummary[]>;
	/** `${districtId}\n${name}` */
	units: Map<string, { id: string; name: string }>;
	unitNames: Map<string, string>;
	users: Map<string, { id: string; displayName: string }>;
	/** `${committeeId}\n${userId}`, for the people named in the file. */
	seats: Map<string, { role: CommitteeRole; unitId: string | null }>;
	/** committeeId → user ids of its conveners, everyone's. */
	conveners: Map<string, Set<string>>;
}

const seatKey = (committeeId: string, who: string) => `${committeeId}\n${who}`;

function normaliseUsername(raw: string): string {
	return raw.normalize('NFKC').trim().toLowerCase();
}

async function loadMemberContext(db: DbOrTx, sheet: Sheet<MemberColumn>): Promise<MemberContext> {
	const committeesByName = new Map<string, CommitteeSummary[]>();
	for (const committee of await listCommittees(db)) committeesByName.set(committee.name, [...(committeesByName.get(committee.name) ?? []), committee]);
	const unitRows = await db.select({ id: units.id, name: units.name, districtId: units.districtId }).from(units);
	const usernames = [...new Set(sheet.rows.map((r) => normaliseUsername(r.cells.username ?? '')).filter((u) => u !== ''))];
	const found = new Map<string, { id: string; displayName: string }>();
	for (const part of chunks(usernames, 1000)) {
		const rows = await db.select({ id: users.id, username: users.username, displayName: users.displayName }).from(users).where(inArray(users.username, part));
		for (const row of rows) found.set(row.username, { id: row.id, displayName: row.displayName });
	}
	const seats = new Map<string, { role: CommitteeRole; unitId: string | null }>();
	for (const part of chunks([...found.values()].map((u) => u.id), 1000)) {
		const rows = await db
			.select({ committeeId: memberships.committeeId, userId: memberships.userId, role: memberships.role, unitId: memberships.unitId })
			.from(memberships)
			.where(inArray(memberships.userId, part));
		for (const row of rows) seats.set(seatKey(row.committeeId, row.userId), { role: row.role, unitId: row.unitId });
	}
	const conveners = new Map<string, Set<string>>();
	const convenerRows = await db.select({ committeeId: memberships.committeeId, userId: memberships.userId }).from(memberships).where(eq(memberships.role, 'convener'));
	for (const row of convenerRows) conveners.set(row.committeeId, (conveners.get(row.committeeId) ?? new Set()).add(row.userId));
	return {
		committeesByName,
		units: new Map(unitRows.map((u) => [`${u.districtId}\n${u.name}`, { id: u.id, name: u.name }])),
		unitNames: new Map(unitRows.map((u) => [u.id, u.name])),
		users: found,
		seats,
		conveners
	};
}

interface MemberValues {
	username: string;
	displayName: string;
	existing: { id: string; displayName: string } | null;
	committee: CommitteeSummary;
	role: CommitteeRole;
	unit: { id: string; name: string } | null;
	password: string | null;
}

class MemberRowReader {
	constructor(
		private readonly sheet: Sheet<MemberColumn>,
		private readonly ctx: MemberContext,
		private readonly pending: Map<string, NewUser>
	) {}

	read(row: SheetRow<MemberColumn>, problems: RowProblems<MemberColumn>): MemberValues | null {
		const username = this.username(row, problems);
		const existing = username === null ? null : (this.ctx.users.get(username) ?? null);
		const displayName = this.displayName(row, problems, username !== null && !existing && !this.pending.has(username));
		const committee = this.committee(row, problems);
		const role = this.role(row, problems);
		const unit = this.unit(row, problems, committee, existing, role);
		const password = existing ? null : this.password(row, problems);
		if (username === null || displayName === null || !committee || !role || unit === undefined || !problems.ok) return null;
		return { username, displayName: existing?.displayName ?? displayName, existing, committee, role, unit, password };
	}

	private username(row: SheetRow<MemberColumn>, problems: RowProblems<MemberColumn>): string | null {
		const username = normaliseUsername(row.cells.username ?? '');
		if (username === '') problems.add('csv.required', 'username');
		else if (!USERNAME_PATTERN.test(username)) problems.add('csv.badUsername', 'username', { value: username });
		else return username;
		return null;
	}

	/** '' when the cell may stay empty (the account exists or an earlier row creates it). */
	private displayName(row: SheetRow<MemberColumn>, problems: RowProblems<MemberColumn>, required: boolean): string | null {
		const checked = checkName(row.cells.displayName ?? '');
		if (checked.ok) return checked.name;
		if (checked.problem === 'nameTooLong') problems.add('csv.tooLong', 'displayName', { max: NAME_MAX });
		else if (required) problems.add('csv.required', 'displayName');
		else return '';
		return null;
	}

	private committee(row: SheetRow<MemberColumn>, problems: RowProblems<MemberColumn>): CommitteeSummary | null {
		const checked = checkName(row.cells.committee ?? '');
		if (!checked.ok) {
			problems.add(checked.problem === 'nameRequired' ? 'csv.required' : 'csv.tooLong', 'committee', { max: NAME_MAX });
			return null;
		}
		const found = this.ctx.committeesByName.get(checked.name) ?? [];
		if (found.length > 1) problems.add('csv.ambiguousCommittee', 'committee', { value: checked.name });
		if (found.length === 0) problems.add('csv.unknownCommittee', 'committee', { value: checked.name });
		return found.length === 1 ? (found[0] ?? null) : null;
	}

	private role(row: SheetRow<MemberColumn>, problems: RowProblems<MemberColumn>): CommitteeRole | null {
		const text = (row.cells.role ?? '').trim();
		const role = parseRole(text);
		if (text === '') problems.add('csv.required', 'role');
		else if (!role) problems.add('csv.unknownRole', 'role', { value: text });
		return role;
	}

	/** undefined when the row is wrong; null when the seat has no unit. */
	private unit(
		row: SheetRow<MemberColumn>,
		problems: RowProblems<MemberColumn>,
		committee: CommitteeSummary | null,
		existing: { id: string } | null,
		role: CommitteeRole | null
	): { id: string; name: string } | null | undefined {
		const checked = this.sheet.has('unit') ? checkName(row.cells.unit ?? '') : null;
		// Units are looked up in the committee's district; an unknown committee is reported already.
		if (!committee) return checked?.ok ? null : this.partTimeNeedsUnit(problems, role, null);
		if (checked === null) {
			// Without the column the file says nothing about units: a seat keeps the one it has.
			const seat = existing ? this.ctx.seats.get(seatKey(committee.id, existing.id)) : undefined;
			const unit = seat?.unitId ? { id: seat.unitId, name: this.ctx.unitNames.get(seat.unitId) ?? '' } : null;
			return this.partTimeNeedsUnit(problems, role, unit);
		}
		if (!checked.ok) return this.partTimeNeedsUnit(problems, role, null);
		const unit = this.ctx.units.get(`${committee.districtId}\n${checked.name}`);
		if (!unit) problems.add('csv.unknownUnit', 'unit', { value: checked.name });
		return unit;
	}

	/** A part-time member (兼职委员) sits on behalf of a unit; attendance and scores roll up to it. */
	private partTimeNeedsUnit(problems: RowProblems<MemberColumn>, role: CommitteeRole | null, unit: { id: string; name: string } | null): { id: string; name: string } | null | undefined {
		if (role !== 'part_time' || unit) return unit;
		problems.add('csv.partTimeWithoutUnit', this.sheet.has('unit') ? 'unit' : null);
		return undefined;
	}

	private password(row: SheetRow<MemberColumn>, problems: RowProblems<MemberColumn>): string | null {
		const password = (row.cells.password ?? '').trim();
		if (password === '') return null;
		const problem = passwordProblem(password);
		if (problem === 'password.tooShort') problems.add('csv.passwordTooShort', 'password', { min: PASSWORD_MIN });
		if (problem === 'password.tooLong') problems.add('csv.passwordTooLong', 'password', { max: PASSWORD_MAX });
		return problem ? null : password;
	}
}

function memberRow(line: number, v: MemberValues, ctx: MemberContext): MemberPreviewRow {
	const seat = v.existing ? ctx.seats.get(seatKey(v.committee.id, v.existing.id)) : undefined;
	const unitId = v.unit?.id ?? null;
	const action: RowAction = !seat ? 'create' : seat.role === v.role && seat.unitId === unitId ? 'unchanged' : 'update';
	return {
		line,
		username: v.username,
		displayName: v.displayName,
		user: v.existing ? 'existing' : 'create',
		userId: v.existing?.id ?? null,
		committeeId: v.committee.id,
		committeeName: v.committee.name,
		role: v.role,
		previousRole: seat?.role ?? null,
		unitId,
		unitName: v.unit?.name ?? null,
		action,
		// Settled for new accounts once every row is read (finishNewUserRow).
		password: v.existing ? 'unchanged' : 'generated'
	};
}


/** Checks a row against what earlier rows said about the same seat and the same new person. */
function crossCheck(v: MemberValues, problems: RowProblems<MemberColumn>, pending: Map<string, NewUser>, seen: Map<string, number>): void {
	const first = seen.get(seatKey(v.committee.id, v.username));
	if (first !== undefined) problems.add('csv.duplicateMembership', 'committee', { username: v.username, committee: v.committee.name, firstLine: first });
	const earlier = pending.get(v.username);
	if (!earlier || v.existing) return;
	const nameDiffers = v.displayName !== '' && v.displayName !== earlier.displayName;
	const passwordDiffers = v.password !== null && earlier.password !== null && v.password !== earlier.password;
	if (nameDiffers || passwordDiffers) problems.add('csv.conflictingUser', nameDiffers ? 'displayName' : 'password', { username: v.username, firstLine: earlier.line });
}

function remember(v: MemberValues, pending: Map<string, NewUser>, seen: Map<string, number>, line: number): void {
	seen.set(seatKey(v.committee.id, v.username), line);
	if (v.existing) return;
	const earlier = pending.get(v.username);
	if (!earlier) {
		pending.set(v.username, { line, username: v.username, displayName: v.displayName, password: v.password, unitId: v.unit?.id ?? null });
		return;
	}
	earlier.password ??= v.password;
	earlier.unitId ??= v.unit?.id ?? null;
}

/** A person new to the system may span several rows (several committees); all show the account's final values. */
function finishNewUserRow(row: MemberPreviewRow, pending: Map<string, NewUser>): MemberPreviewRow {
	const account = row.user === 'create' ? pending.get(row.username) : undefined;
	if (!account) return row;
	return { ...row, displayName: account.displayName, password: account.password === null ? 'generated' : 'given' };
}

/**
 * A committee that has a convener must keep one: conveners schedule and finalise its meetings.
 * Reports the rows that would demote the last of them.
 */
function lastConvenerErrors(rows: MemberPreviewRow[], ctx: MemberContext, label: (key: MemberColumn) => string): CsvError[] {
	const after = new Map<string, Set<string>>();
	for (const row of rows) {
		const set = after.get(row.committeeId) ?? new Set(ctx.conveners.get(row.committeeId));
		const who = row.userId ?? `new:${row.username}`;
		if (row.role === 'convener') set.add(who);
		else set.delete(who);
		after.set(row.committeeId, set);
	}
	return rows
		.filter((row) => row.previousRole === 'convener' && row.role !== 'convener' && after.get(row.committeeId)?.size === 0)
		.map((row) => ({ line: row.line, column: label('role'), key: 'csv.lastConvener', params: { committee: row.committeeName } }));
}

interface MemberPlan extends Preview<MemberPreviewRow> {
	newUsers: NewUser[];
}

async function planMembers(db: DbOrTx, sheet: Sheet<MemberColumn>): Promise<MemberPlan> {
	if (sheet.errors.some((e) => e.line <= 1)) return { rows: [], errors: finalErrors(sheet.errors), newUsers: [] };
	const ctx = await loadMemberContext(db, sheet);
	const pending = new Map<string, NewUser>();
	const seen = new Map<string, number>();
	const reader = new MemberRowReader(sheet, ctx, pending);
	const errors = [...sheet.errors];
	const rows: MemberPreviewRow[] = [];
	for (const row of sheet.rows) {
		const problems = new RowProblems(row.line, sheet.label);
		const values = reader.read(row, problems);
		if (values) crossCheck(values, problems, pending, seen);
		errors.push(...problems.list);
		if (!values || !problems.ok) continue;
		remember(values, pending, seen, row.line);
		rows.push(memberRow(row.line, values, ctx));
	}
	const convenerErrors = lastConvenerErrors(rows, ctx, sheet.label);
	const refused = new Set(convenerErrors.map((e) => e.line));
	return {
		rows: rows.filter((r) => !refused.has(r.line)).map((r) => finishNewUserRow(r, pending)),
		errors: finalErrors([...errors, ...convenerErrors]),
		newUsers: [...pending.values()]
	};
}

export async function previewMembers(db: DbOrTx, input: CsvInput): Promise<Preview<MemberPreviewRow>> {
	const { rows, errors } = await planMembers(db, readSheet(input, MEMBER_COLUMNS));
	return { rows, errors };
}

export interface GeneratedPassword {
	username: string;
	displayName: string;
	password: string;
}

export type MemberImportResult =
	| {
			ok: true;
			usersCreated: number;
			membershipsCreated: number;
			membershipsUpdated: number;
			unchanged: number;
			/** Passwords the import made up, to be handed out once; they are not stored anywhere. */
			generatedPasswords: GeneratedPassword[];
	  }
	| { ok: false; errors: CsvError[] };

interface Credential {
	passwordHash: string;
	generated: string | null;
}

async function credentialsFor(newUsers: NewUser[], known: Map<string, Credential>): Promise<Map<string, Credential>> {
	const result = new Map(known);
	const missing = newUsers.filter((u) => !result.has(u.username));
	// argon2 runs on libuv's thread pool, so these hash in parallel up to its size.
	const made = await Promise.all(
		missing.map(async (u) => {
			const password = u.password ?? randomPassword();
			return [u.username, { passwordHash: await hashPassword(password), generated: u.password === null ? password : null }] as const;
		})
	);
	for (const [username, credential] of made) result.set(username, credential);
	return result;
}

async function insertUsers(tx: DbOrTx, newUsers: NewUser[], credentials: Map<string, Credential>): Promise<Map<string, string>> {
	const ids = new Map<string, string>();
	for (const part of chunks(newUsers, 500)) {
		const values = part.map((u) => {
			const credential = credentials.get(u.username);
			if (!credential) throw new Error(`no credential prepared for new user ${u.username}`);
			return { username: u.username, displayName: u.displayName, passwordHash: credential.passwordHash, unitId: u.unitId };
		});
		for (const row of await tx.insert(users).values(values).returning({ id: users.id, username: users.username })) ids.set(row.username, row.id);
	}
	return ids;
}

function userIdOf(row: MemberPreviewRow, created: Map<string, string>): string {
	const id = row.userId ?? created.get(row.username);
	if (!id) throw new Error(`user ${row.username} of line ${row.line} was neither found nor created`);
	return id;
}

async function upsertSeats(tx: DbOrTx, rows: MemberPreviewRow[], created: Map<string, string>): Promise<void> {
	const writes = rows.filter((r) => r.action !== 'unchanged');
	for (const part of chunks(writes, 1000)) {
		await tx
			.insert(memberships)
			.values(part.map((r) => ({ committeeId: r.committeeId, userId: userIdOf(r, created), role: r.role, unitId: r.unitId })))
			.onConflictDoUpdate({ target: [memberships.committeeId, memberships.userId], set: { role: excluded('role'), unitId: excluded('unit_id') } });
	}
}

type AuditRow = typeof auditLog.$inferInsert;

async function auditMembers(tx: DbOrTx, actorId: string | null, rows: MemberPreviewRow[], created: Map<string, string>, summary: Record<string, number>): Promise<void> {
	const entries: AuditRow[] = [];
	for (const [username, id] of created) entries.push({ actorId, action: 'user.created', subject: `user/${id}`, details: { username, source: 'csv' } });
	for (const row of rows) {
		if (row.action === 'unchanged') continue;
		entries.push({
			actorId,
			action: row.action === 'create' ? 'membership.added' : 'membership.changed',
			subject: `committee/${row.committeeId}`,
			details: { userId: userIdOf(row, created), role: row.role, unitId: row.unitId, previousRole: row.previousRole, source: 'csv' }
		});
	}
	entries.push({ actorId, action: 'members.imported', subject: 'csv/members', details: summary });
	for (const part of chunks(entries, 1000)) await tx.insert(auditLog).values(part);
}

export async function importMembers(db: Db, input: CsvInput, actorId: string | null): Promise<MemberImportResult> {
	const sheet = readSheet(input, MEMBER_COLUMNS);
	const first = await planMembers(db, sheet);
	if (first.errors.length > 0) return { ok: false, errors: first.errors };
	// Hashing takes tens of milliseconds a password: done before the transaction, not while it holds locks.
	const prepared = await credentialsFor(first.newUsers, new Map());
	return db.transaction(async (tx): Promise<MemberImportResult> => {
		// Validated again inside the transaction: the database may have changed since the preview.
		const plan = await planMembers(tx, sheet);
		if (plan.errors.length > 0) return { ok: false, errors: plan.errors };
		const credentials = await credentialsFor(plan.newUsers, prepared);
		const created = await insertUsers(tx, plan.newUsers, credentials);
		await upsertSeats(tx, plan.rows, created);
		const counts = countActions(plan.rows);
		const summary = { usersCreated: created.size, membershipsCreated: counts.created, membershipsUpdated: counts.updated, unchanged: counts.unchanged };
		await auditMembers(tx, actorId, plan.rows, created, summary);
		const generatedPasswords = plan.newUsers.flatMap((u) => {
			const generated = credentials.get(u.username)?.generated;
			return generated ? [{ username: u.username, displayName: u.displayName, password: generated }] : [];
		});
		return { ok: true, ...summary, generatedPasswords };
	});
}

// ---------------------------------------------------------------- messages

const KIND_LIST = '机关、学校、医院、企业、其他';
const ROLE_LIST = '书记（召集人）、记录员、委员、兼职委员、列席';

const ZH: Record<CsvErrorKey, (p: MessageParams) => string> = {
	'csv.fileTooLarge': (p) => `文件过大（${mib(p.size)}），上限为 ${mib(p.max)}`,
	'csv.empty': () => '文件是空的',
	'csv.noRows': () => '文件只有表头，没有数据行',
	'csv.tooManyRows': (p) => `数据行过多（${p.count} 行），一次最多导入 ${p.max} 行`,
	'csv.unterminatedQuote': () => '引号没有闭合：从这一行开始的带引号字段一直没有结束',
	'csv.badQuote': () => '带引号的字段在结束引号之后还有其他字符',
	'csv.missingColumn': (p) => `缺少必需的列“${p.name}”`,
	'csv.unknownColumn': (p) => `无法识别的列“${p.name}”`,
	'csv.duplicateColumn': (p) => `列“${p.name}”出现了不止一次`,
	'csv.emptyColumnName': (p) => `第 ${p.position} 列没有列名`,
	'csv.tooManyFields': (p) => `这一行有 ${p.count} 个字段，多于表头的 ${p.expected} 列`,
	'csv.required': () => '不能为空',
	'csv.tooLong': (p) => `超过 ${p.max} 个字符`,
	'csv.unknownKind': (p) => `未知的单位类型“${p.value}”（可填：${KIND_LIST}）`,
	'csv.badPhone': (p) => `“${p.value}”不是有效的电话号码`,
	'csv.duplicateInFile': (p) => `“${p.value}”与第 ${p.firstLine} 行重复`,
	'csv.badUsername': (p) => `用户名“${p.value}”不符合要求（2–40 位小写字母、数字、点、下划线或连字符，以字母或数字开头）`,
	'csv.unknownCommittee': (p) => `找不到名为“${p.value}”的委员会`,
	'csv.ambiguousCommittee': (p) => `有多个委员会都叫“${p.value}”，请先在系统中改名以区分`,
	'csv.unknownRole': (p) => `未知的角色“${p.value}”（可填：${ROLE_LIST}）`,
	'csv.unknownUnit': (p) => `找不到单位“${p.value}”，请先导入单位`,
	'csv.partTimeWithoutUnit': () => '兼职委员必须填写所在单位',
	'csv.passwordTooShort': (p) => `初始密码至少需要 ${p.min} 个字符`,
	'csv.passwordTooLong': (p) => `初始密码不能超过 ${p.max} 个字符`,
	'csv.duplicateMembership': (p) => `用户“${p.username}”在“${p.committee}”中已在第 ${p.firstLine} 行出现`,
	'csv.conflictingUser': (p) => `用户“${p.username}”的姓名或初始密码与第 ${p.firstLine} 行不一致`,
	'csv.lastConvener': (p) => `这样“${p.committee}”将没有书记（召集人），每个委员会至少要保留一位`,
	'csv.noDistrict': () => '系统中还没有区，请先建立区',
	'csv.ambiguousDistrict': () => '系统中有多个区，请选择导入到哪个区',
	'csv.districtNotFound': () => '所选的区不存在',
	'csv.moreErrors': (p) => `另有 ${p.count} 处错误未列出`
};

function mib(bytes: string | number | undefined): string {
	return `${(Number(bytes) / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MiB`;
}

/** Plain Chinese text for an error, for logs and for when the UI catalogue lacks the key. */
export function describeCsvError(err: CsvError): string {
	const where = err.line > 0 ? `第 ${err.line} 行${err.column ? `“${err.column}”列` : ''}：` : err.column ? `“${err.column}”列：` : '';
	return where + ZH[err.key](err.params ?? {});
}

/** Header rows to offer as downloadable templates; the BOM makes Excel read them as UTF-8. */
export const CSV_TEMPLATES = {
	units: '\uFEFF名称,类型,联系人,联系电话\r\n',
	members: '\uFEFF用户名,姓名,委员会,角色,单位,初始密码\r\n'
} as const;
