import { deflateRawSync } from 'node:zlib';
import { eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addNeed, addResource, boardDocName, needsMap, readNeeds, readResources, resourcesMap, setCardValue } from '../../src/lib/docs/board';
import type { CommitteeRole } from '../../src/lib/domain/roles';
import {
	attachmentDisposition,
	exportBoard,
	importNeeds,
	importResources,
	previewNeeds,
	previewResources,
	readSheetRows,
	templateFor,
	type BoardSheetError,
	type SheetUser
} from '../../src/lib/server/boardSpreadsheet';
import { CSV_MAX_BYTES, CSV_MAX_ROWS } from '../../src/lib/server/csvImport';
import { meetings, memberships, projectItems, projectItemUnits, units, users } from '../../src/lib/server/db/schema';
import { editDocument, readDocument } from '../../src/lib/server/liveEdit';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createCommitteeFixture, type CommitteeFixture } from '../helpers/fixtures';

let database: TestDatabase;
let fx: CommitteeFixture;
/** The part-time member's unit (from the fixture), a second member unit, and a unit of the district that is not a member. */
let ownUnit: { id: string; name: string };
let otherUnit: { id: string; name: string };
let outsideUnit: { id: string; name: string };

beforeAll(async () => {
	database = await createTestDatabase();
	const db = database.db;
	fx = await createCommitteeFixture(db);
	const [own] = await db.select().from(units).where(eq(units.id, fx.unitId));
	ownUnit = { id: own!.id, name: own!.name };
	const [other] = await db.insert(units).values({ districtId: own!.districtId, name: `区教育局${own!.name}`, kind: 'agency' }).returning();
	otherUnit = { id: other!.id, name: other!.name };
	const [outside] = await db.insert(units).values({ districtId: own!.districtId, name: `区税务局${own!.name}`, kind: 'agency' }).returning();
	outsideUnit = { id: outside!.id, name: outside!.name };
	const [user] = await db.insert(users).values({ username: `edu${Date.now()}`, displayName: '教育局委员', passwordHash: 'x' }).returning();
	await db.insert(memberships).values({ committeeId: fx.committeeId, userId: user!.id, role: 'part_time', unitId: otherUnit.id });
});
afterAll(() => database?.destroy());

function who(role: CommitteeRole): SheetUser {
	return { id: fx.people[role].id, name: `${role} 同志`, role, unitId: role === 'part_time' ? fx.unitId : null };
}

const board = (year: number) => ({ committeeId: fx.committeeId, year });

type Cell = ExcelJS.CellValue;

async function xlsx(sheets: Record<string, Cell[][]>, decorate?: (wb: ExcelJS.Workbook) => void): Promise<Uint8Array> {
	const wb = new ExcelJS.Workbook();
	for (const [name, rows] of Object.entries(sheets)) {
		const ws = wb.addWorksheet(name);
		for (const row of rows) ws.addRow(row);
	}
	decorate?.(wb);
	return new Uint8Array(await wb.xlsx.writeBuffer());
}

const csv = (text: string) => new TextEncoder().encode(text);

async function stored(year: number) {
	return readDocument(database.db, boardDocName(fx.committeeId, year), (doc) => ({ needs: readNeeds(doc), resources: readResources(doc), state: Y.encodeStateVector(doc) }));
}

/** [row, column, key]: what a person fixing the file needs. */
const brief = (errors: BoardSheetError[]) => errors.map((e) => [e.line, e.column ?? null, e.key]);

/** A zip of one deflated entry, as small as a bomb is and as large as it expands. */
function zipOf(name: string, content: Buffer): Uint8Array {
	const data = deflateRawSync(content, { level: 9 });
	const nameBytes = Buffer.from(name);
	const local = Buffer.alloc(30);
	local.writeUInt32LE(0x04034b50, 0);
	local.writeUInt16LE(20, 4);
	local.writeUInt16LE(8, 8);
	local.writeUInt32LE(data.length, 18);
	local.writeUInt32LE(1000, 22); // declared small: the check must not believe it
	local.writeUInt16LE(nameBytes.length, 26);
	const central = Buffer.alloc(46);
	central.writeUInt32LE(0x02014b50, 0);
	central.writeUInt16LE(20, 4);
	central.writeUInt16LE(20, 6);
	central.writeUInt16LE(8, 10);
	central.writeUInt32LE(data.length, 20);
	central.writeUInt32LE(1000, 24);
	central.writeUInt16LE(nameBytes.length, 28);
	central.writeUInt32LE(0, 42);
	const cdOffset = local.length + nameBytes.length + data.length;
	const cdSize = central.length + nameBytes.length;
	const eocd = Buffer.alloc(22);
	eocd.writeUInt32LE(0x06054b50, 0);
	eocd.writeUInt16LE(1, 8);
	eocd.writeUInt16LE(1, 10);
	eocd.writeUInt32LE(cdSize, 12);
	eocd.writeUInt32LE(cdOffset, 16);
	return new Uint8Array(Buffer.concat([local, nameBytes, data, central, nameBytes, eocd]));
}

describe('readSheetRows', () => {
	it('reads an xlsx as the spreadsheet shows it: numbers, dates, rich text, formula results, links, merged units', async () => {
		const bytes = await xlsx({ 清单: [] }, (wb) => {
			const ws = wb.getWorksheet('清单')!;
			ws.addRow(['单位', '类型', '标题', '数量', '可提供时间', '联系方式']);
			ws.addRow([
				ownUnit.name,
				{ richText: [{ text: '服', font: { bold: true } }, { text: '务' }] },
				'义诊',
				{ formula: 'A1+1', result: 0.1 + 0.2 },
				new Date(Date.UTC(2027, 2, 5)),
				{ text: '网站', hyperlink: 'https://example.org' }
			]);
			ws.addRow([null, '资金', '助学金', 50000, new Date(Date.UTC(2027, 2, 5, 9, 30)), true]);
			ws.mergeCells('A2:A3');
			// Merged across: one value, not one per column.
			ws.addRow(['备注', '说明']);
			ws.mergeCells('B4:C4');
		});
		const read = await readSheetRows(bytes, 'list.xlsx');
		expect(read.errors).toEqual([]);
		expect(read.rows[1]).toEqual([ownUnit.name, '服务', '义诊', '0.3', '2027-03-05', '网站']);
		expect(read.rows[2]).toEqual([ownUnit.name, '资金', '助学金', '50000', '2027-03-05 09:30', 'TRUE']);
		expect(read.rows[3]).toEqual(['备注', '说明', '']);
	});

	it('picks the sheet named for the list in a workbook of several, else the first visible one', async () => {
		const bytes = await xlsx({ 需求清单: [['标题'], ['需求甲']], 资源清单: [['标题'], ['资源乙']] });
		expect((await readSheetRows(bytes, 'a.xlsx', 'resources')).rows[1]).toEqual(['资源乙']);
		expect((await readSheetRows(bytes, 'a.xlsx', 'needs')).rows[1]).toEqual(['需求甲']);
		const hidden = await xlsx({ 隐藏: [['x']], 表一: [['标题'], ['可见']] }, (wb) => {
			wb.getWorksheet('隐藏')!.state = 'hidden';
		});
		expect((await readSheetRows(hidden, 'b.xlsx')).rows[1]).toEqual(['可见']);
	});

	it('reads CSV in GBK and UTF-8 with BOM, keeping file row numbers', async () => {
		const gbk = new Uint8Array([0xb1, 0xea, 0xcc, 0xe2, 0x0d, 0x0a, 0xc2, 0xb7, 0xb5, 0xc6]); // 标题\r\n路灯
		expect((await readSheetRows(gbk, '需求.csv')).rows).toEqual([['标题'], ['路灯']]);
		const read = await readSheetRows(csv('\uFEFF标题,描述\r\n甲,"两\n行"\r\n乙,x\r\n'), 'a.csv');
		expect(read.rows[0]).toEqual(['标题', '描述']);
		expect(read.rows[1]).toEqual(['甲', '两\n行']);
		expect(read.rows[3]).toEqual(['乙', 'x']);
	});

	it('refuses files it cannot or must not read, with a reason', async () => {
		const key = async (bytes: Uint8Array, name: string) => (await readSheetRows(bytes, name)).errors.map((e) => [e.line, e.key]);
		expect(await key(new Uint8Array(CSV_MAX_BYTES + 1), 'big.csv')).toEqual([[0, 'csv.fileTooLarge']]);
		expect(await key(new Uint8Array(0), 'empty.xlsx')).toEqual([[0, 'csv.empty']]);
		expect(await key(new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]), 'old.xls')).toEqual([[0, 'boardSheet.error.legacyExcel']]);
		expect(await key(csv('not a zip'), 'fake.xlsx')).toEqual([[0, 'boardSheet.error.unreadable']]);
		expect(await key(csv('%PDF-1.4'), 'list.pdf')).toEqual([[0, 'boardSheet.error.unsupportedFile']]);
		expect(await key(zipOf('word/document.xml', Buffer.from('<x/>')), 'renamed.xlsx')).toEqual([[0, 'boardSheet.error.unreadable']]);
		// 64 MiB of zeros deflate to about 64 KB; the check inflates with a cap instead of trusting the header.
		expect(await key(zipOf('xl/worksheets/sheet1.xml', Buffer.alloc(64 * 1024 * 1024)), 'bomb.xlsx')).toEqual([[0, 'boardSheet.error.expandsTooLarge']]);
	});
});

describe('needs import', () => {
	it('previews and imports a clean xlsx with Chinese headers and values, a title row above the header and a 序号 column', async () => {
		const bytes = await xlsx({
			Sheet1: [
				['幸福社区 2027 年需求清单'],
				[],
				['序号', '标题', '描述', '类别', '来源', '小区或地点', '优先级'],
				[1, '老旧小区加装电梯', '3 号楼老人\n上下楼困难', '基础设施', '居民反映', '幸福里小区', '高'],
				[2, '四点半课堂', '', '帮扶关爱', '走访', '', '中'],
				[3, '  党员先锋岗  ', null, '党建引领', '网格巡查', '全社区', '低']
			]
		});
		const before = await stored(2027);
		const preview = await previewNeeds(database.db, board(2027), bytes, '需求.xlsx', who('member'));
		expect(preview.errors).toEqual([]);
		expect(preview.rows.map((r) => [r.line, r.title, r.category, r.source, r.priority, r.status])).toEqual([
			[4, '老旧小区加装电梯', 'infrastructure', 'residents', 'high', 'open'],
			[5, '四点半课堂', 'care', 'visits', 'medium', 'open'],
			[6, '党员先锋岗', 'party_building', 'grid_patrol', 'low', 'open']
		]);
		// A preview writes nothing.
		expect((await stored(2027)).state).toEqual(before.state);

		const result = await importNeeds(database.db, board(2027), bytes, '需求.xlsx', who('member'));
		expect(result).toEqual({ ok: true, added: 3 });
		const after = await stored(2027);
		expect(after.needs.map((n) => [n.title, n.description, n.place, n.category, n.source, n.priority, n.status, n.submittedBy, n.submittedByName])).toEqual([
			['老旧小区加装电梯', '3 号楼老人\n上下楼困难', '幸福里小区', 'infrastructure', 'residents', 'high', 'open', fx.people.member.id, 'member 同志'],
			['四点半课堂', '', '', 'care', 'visits', 'medium', 'open', fx.people.member.id, 'member 同志'],
			['党员先锋岗', '', '全社区', 'party_building', 'grid_patrol', 'low', 'open', fx.people.member.id, 'member 同志']
		]);

		// The same file again: allowed, but the preview says these titles are already on the board.
		const again = await previewNeeds(database.db, board(2027), bytes, '需求.xlsx', who('member'));
		expect(again.rows.every((r) => r.onBoard)).toBe(true);
	});

	it('imports a CSV with English headers and values, defaults for empty cells', async () => {
		const text = 'Title,Description,Category,Source,Place,Priority,Status\r\nStreet lights,"Broken, since May",infrastructure,grid patrol,Block 4,HIGH,matched\r\nChess club,,culture_sports,,,,\r\n';
		const result = await importNeeds(database.db, board(2028), csv(text), 'needs.csv', who('convener'));
		expect(result).toEqual({ ok: true, added: 2 });
		expect((await stored(2028)).needs.map((n) => [n.title, n.description, n.category, n.source, n.place, n.priority, n.status])).toEqual([
			['Street lights', 'Broken, since May', 'infrastructure', 'grid_patrol', 'Block 4', 'high', 'matched'],
			['Chess club', '', 'culture_sports', 'residents', '', 'medium', 'open']
		]);
	});

	it('lists every bad row with its row number and reason, and imports nothing', async () => {
		const year = 2029;
		await editDocument(database.db, boardDocName(fx.committeeId, year), (doc) => {
			addNeed(doc, { title: '已有的需求', submittedBy: fx.people.member.id, submittedByName: '委员' });
		});
		const before = await stored(year);
		const bytes = await xlsx({
			需求: [
				['标题', '类别', '优先级', '来源', '描述', '', '备注列'],
				['好的一行', '社区治理', '高', '信访', '', '', ''],
				['', '社区治理', '', '', '', '', ''],
				['类别不对', '环境卫生', '紧急', '', '', '', ''],
				['好的一行', '', '', '', '', '', ''],
				['标'.repeat(101), '', '特高', '电话', 'x'.repeat(2001), '', ''],
				['多出一格', '', '', '', '', '', '', '意外的值']
			]
		});
		const preview = await previewNeeds(database.db, board(year), bytes, 'bad.xlsx', who('member'));
		expect(brief(preview.errors)).toEqual([
			[1, '备注列', 'csv.unknownColumn'],
			[3, '标题', 'csv.required'],
			[4, '类别', 'boardSheet.error.unknownCategory'],
			[5, '标题', 'boardSheet.error.duplicateTitle'],
			[6, '标题', 'csv.tooLong'],
			[6, '描述', 'csv.tooLong'],
			[6, '来源', 'boardSheet.error.unknownSource'],
			[6, '优先级', 'boardSheet.error.unknownPriority'],
			[7, null, 'boardSheet.error.valueWithoutHeader']
		]);
		expect(preview.errors.find((e) => e.line === 4)!.params).toEqual({ value: '环境卫生', allowed: '党建引领、社区治理、基础设施、文体活动、帮扶关爱、其他' });
		expect(preview.errors.find((e) => e.line === 5)!.params).toEqual({ value: '好的一行', firstLine: 2 });
		expect(preview.errors.find((e) => e.line === 6 && e.column === '标题')!.params).toEqual({ max: 100 });
		expect(preview.errors.find((e) => e.line === 7)!.params).toEqual({ column: 'H' });
		// "紧急" is an accepted spelling of 高; only the category of row 4 is wrong.
		expect(preview.rows.map((r) => r.line)).toEqual([2]);

		const result = await importNeeds(database.db, board(year), bytes, 'bad.xlsx', who('member'));
		expect(result.ok).toBe(false);
		if (!result.ok) expect(brief(result.errors)).toEqual(brief(preview.errors));
		const after = await stored(year);
		expect(after.state).toEqual(before.state);
		expect(after.needs.map((n) => n.title)).toEqual(['已有的需求']);
	});

	it('reports header problems: a missing required column, duplicates, a file with no rows, too many rows', async () => {
		const missing = await previewNeeds(database.db, board(2029), csv('描述,类别\r\n甲,其他\r\n'), 'a.csv', who('member'));
		expect(brief(missing.errors)).toEqual([[1, '标题', 'csv.missingColumn']]);
		const english = await previewNeeds(database.db, board(2029), csv('description\r\nx\r\n'), 'a.csv', who('member'));
		expect(english.errors[0]).toMatchObject({ key: 'csv.missingColumn', params: { name: 'title' } });
		const dup = await previewNeeds(database.db, board(2029), csv('标题,title\r\n甲,乙\r\n'), 'a.csv', who('member'));
		expect(brief(dup.errors)).toEqual([[1, 'title', 'csv.duplicateColumn']]);
		const headerOnly = await previewNeeds(database.db, board(2029), csv('标题,描述\r\n'), 'a.csv', who('member'));
		expect(brief(headerOnly.errors)).toEqual([[0, null, 'csv.noRows']]);
		const many = '标题\r\n' + Array.from({ length: CSV_MAX_ROWS + 1 }, (_, i) => `需求${i}`).join('\r\n');
		const tooMany = await previewNeeds(database.db, board(2029), csv(many), 'a.csv', who('member'));
		expect(brief(tooMany.errors)).toEqual([[0, null, 'csv.tooManyRows']]);
		const quote = await previewNeeds(database.db, board(2029), csv('标题,描述\r\n甲,"x"y\r\n乙,z\r\n'), 'a.csv', who('member'));
		expect(brief(quote.errors)).toEqual([[2, null, 'csv.badQuote']]);
	});
});

describe('resources import', () => {
	it('imports resources of member units named in Chinese, with Chinese values', async () => {
		const bytes = await xlsx({
			资源: [
				['单位', '类型', '标题', '描述', '数量', '可提供时间', '联系方式'],
				[ownUnit.name, '服务', '义诊进社区', '内科、眼科', '每月 1 次', '每月第一个周六', '张医生 010-12345678'],
				[` ${otherUnit.name} `, '资金', '助学金', '', 50000, '', ''],
				[otherUnit.name, 'venue', '礼堂', '可容纳 300 人', '', '周末', '']
			]
		});
		const preview = await previewResources(database.db, board(2027), bytes, '资源.xlsx', who('convener'));
		expect(preview.errors).toEqual([]);
		const result = await importResources(database.db, board(2027), bytes, '资源.xlsx', who('convener'));
		expect(result).toEqual({ ok: true, added: 3 });
		expect((await stored(2027)).resources.map((r) => [r.unitId, r.type, r.title, r.description, r.quantity, r.availability, r.contact, r.status, r.createdBy])).toEqual([
			[ownUnit.id, 'services', '义诊进社区', '内科、眼科', '每月 1 次', '每月第一个周六', '张医生 010-12345678', 'available', fx.people.convener.id],
			[otherUnit.id, 'funds', '助学金', '', '50000', '', '', 'available', fx.people.convener.id],
			[otherUnit.id, 'venue', '礼堂', '可容纳 300 人', '', '周末', '', 'available', fx.people.convener.id]
		]);
	});

	it('refuses units that are not members, unknown types, missing units and a unit\'s duplicate titles', async () => {
		const before = await stored(2027);
		const text = [
			'单位,类型,标题',
			`${outsideUnit.name},服务,税务讲座`,
			`${ownUnit.name},培训,健康讲座`,
			`,服务,无主资源`,
			`${ownUnit.name},,没有类型`,
			`${ownUnit.name},人力,志愿者`,
			`${otherUnit.name},人力,志愿者`,
			`${ownUnit.name},物资,志愿者`
		].join('\r\n');
		const preview = await previewResources(database.db, board(2027), csv(text), 'r.csv', who('convener'));
		expect(brief(preview.errors)).toEqual([
			[2, '单位', 'boardSheet.error.notMemberUnit'],
			[3, '类型', 'boardSheet.error.unknownType'],
			[4, '单位', 'csv.required'],
			[5, '类型', 'csv.required'],
			[8, '标题', 'boardSheet.error.duplicateResource']
		]);
		expect(preview.errors[0]!.params).toEqual({ value: outsideUnit.name });
		// The same title from another unit is a different resource.
		expect(preview.rows.map((r) => r.line)).toEqual([6, 7]);
		expect((await importResources(database.db, board(2027), csv(text), 'r.csv', who('convener'))).ok).toBe(false);
		expect((await stored(2027)).state).toEqual(before.state);
	});

	it('holds a part-time member to their own unit: the column may be left out, another unit is refused', async () => {
		const own = await importResources(database.db, board(2030), csv('类型,标题\r\n人力,青年志愿者\r\n'), 'r.csv', who('part_time'));
		expect(own).toEqual({ ok: true, added: 1 });
		expect((await stored(2030)).resources.map((r) => [r.unitId, r.title, r.createdBy])).toEqual([[ownUnit.id, '青年志愿者', fx.people.part_time.id]]);

		const before = await stored(2030);
		const mixed = `单位,类型,标题\r\n${ownUnit.name},物资,图书\r\n${otherUnit.name},资金,冒名的资金\r\n,服务,默认本单位\r\n`;
		const preview = await previewResources(database.db, board(2030), csv(mixed), 'r.csv', who('part_time'));
		expect(brief(preview.errors)).toEqual([[3, '单位', 'boardSheet.error.otherUnit']]);
		expect(preview.rows.map((r) => [r.line, r.unitId])).toEqual([
			[2, ownUnit.id],
			[4, ownUnit.id]
		]);
		expect((await importResources(database.db, board(2030), csv(mixed), 'r.csv', who('part_time'))).ok).toBe(false);
		expect((await stored(2030)).state).toEqual(before.state);

		// Anyone else must name the unit.
		const noUnit = await previewResources(database.db, board(2030), csv('类型,标题\r\n人力,志愿者\r\n'), 'r.csv', who('member'));
		expect(brief(noUnit.errors)).toEqual([[1, '单位', 'csv.missingColumn']]);
	});
});

describe('export', () => {
	it('writes the three lists with the import\'s headers, Chinese labels and unit names, without archived cards', async () => {
		const year = 2031;
		await editDocument(database.db, boardDocName(fx.committeeId, year), (doc) => {
			addNeed(doc, { title: '社区食堂', description: '老年人\n吃饭难', category: 'care', source: 'visits', place: '幸福里', priority: 'high', submittedBy: fx.people.member.id, submittedByName: '委员' });
			const matched = addNeed(doc, { title: '路灯维修', category: 'infrastructure', submittedBy: fx.people.member.id, submittedByName: '委员' });
			setCardValue(needsMap(doc).get(matched)!, 'status', 'matched');
			const archived = addNeed(doc, { title: '已归档的需求', submittedBy: fx.people.member.id, submittedByName: '委员' });
			setCardValue(needsMap(doc).get(archived)!, 'archived', true);
			addResource(doc, { unitId: ownUnit.id, type: 'expertise', title: '健康讲座', quantity: '4 场', availability: '全年', contact: '李医生', createdBy: fx.people.part_time.id });
			const committed = addResource(doc, { unitId: otherUnit.id, type: 'venue', title: '学校操场', description: '周末开放', createdBy: fx.people.convener.id });
			setCardValue(resourcesMap(doc).get(committed)!, 'status', 'committed');
		});
		const [meeting] = await database.db
			.insert(meetings)
			.values({ committeeId: fx.committeeId, title: '三月例会', kind: 'regular', startsAt: new Date('2031-03-01T02:00:00Z') })
			.returning();
		const [item] = await database.db
			.insert(projectItems)
			.values({ committeeId: fx.committeeId, sourceMeetingId: meeting!.id, sourceBlockId: 'b1', title: '建设长者食堂', level: 'community', dueDate: '2099-06-30', status: 'in_progress' })
			.returning();
		await database.db.insert(projectItemUnits).values([
			{ projectItemId: item!.id, unitId: ownUnit.id },
			{ projectItemId: item!.id, unitId: otherUnit.id }
		]);
		// An item of another year's meeting (the last evening of 2030 in China) stays out.
		const [lastYear] = await database.db
			.insert(meetings)
			.values({ committeeId: fx.committeeId, title: '十二月例会', kind: 'regular', startsAt: new Date('2030-12-31T15:00:00Z') })
			.returning();
		await database.db.insert(projectItems).values({ committeeId: fx.committeeId, sourceMeetingId: lastYear!.id, sourceBlockId: 'b2', title: '去年的项目', level: 'community' });

		const bytes = await exportBoard(database.db, board(year));
		const wb = new ExcelJS.Workbook();
		await wb.xlsx.load(new Uint8Array(bytes).buffer);
		expect(wb.worksheets.map((ws) => ws.name)).toEqual(['需求清单', '资源清单', '项目清单']);
		const values = (ws: ExcelJS.Worksheet) => {
			const out: string[][] = [];
			ws.eachRow((row) => out.push((row.values as Cell[]).slice(1).map((v) => (v === null || v === undefined ? '' : String(v)))));
			return out;
		};
		const [needsWs, resourcesWs, projectsWs] = wb.worksheets as [ExcelJS.Worksheet, ExcelJS.Worksheet, ExcelJS.Worksheet];
		expect(values(needsWs)).toEqual([
			['标题', '描述', '类别', '来源', '小区或地点', '优先级', '状态'],
			['社区食堂', '老年人\n吃饭难', '帮扶关爱', '走访', '幸福里', '高', '待对接'],
			['路灯维修', '', '基础设施', '居民反映', '', '中', '已匹配']
		]);
		expect(values(resourcesWs)).toEqual([
			['单位', '类型', '标题', '描述', '数量', '可提供时间', '联系方式', '状态'],
			[ownUnit.name, '智力', '健康讲座', '', '4 场', '全年', '李医生', '可提供'],
			[otherUnit.name, '场地', '学校操场', '周末开放', '', '', '', '已承诺']
		]);
		const projects = values(projectsWs);
		expect(projects.map((r) => [r[0], r[2], r[3]])).toEqual([
			['项目', '完成时限', '状态'],
			['建设长者食堂', '2099-06-30', '进行中']
		]);
		expect(projects[1]![1]!.split('、').sort()).toEqual([ownUnit.name, otherUnit.name].sort());
		for (const ws of [needsWs, resourcesWs, projectsWs]) {
			expect(ws.getRow(1).font?.bold).toBe(true);
			expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
			expect(ws.getColumn(1).width).toBeGreaterThanOrEqual(8);
		}

		// Round trip: the exported workbook, imported into an empty board of another year, gives the same cards.
		const target = board(2032);
		expect(await importNeeds(database.db, target, bytes, 'export.xlsx', who('recorder'))).toEqual({ ok: true, added: 2 });
		expect(await importResources(database.db, target, bytes, 'export.xlsx', who('recorder'))).toEqual({ ok: true, added: 2 });
		const source = await stored(year);
		const copy = await stored(2032);
		const needFields = (n: ReturnType<typeof readNeeds>[number]) => [n.title, n.description, n.place, n.category, n.source, n.priority, n.status];
		const resourceFields = (r: ReturnType<typeof readResources>[number]) => [r.unitId, r.type, r.title, r.description, r.quantity, r.availability, r.contact, r.status];
		expect(copy.needs.map(needFields)).toEqual(source.needs.filter((n) => !n.archived).map(needFields));
		expect(copy.resources.map(resourceFields)).toEqual(source.resources.map(resourceFields));
		expect(new Set(copy.needs.map((n) => n.id)).isDisjointFrom(new Set(source.needs.map((n) => n.id)))).toBe(true);
	});

	it('writes an empty board as three header-only sheets', async () => {
		const wb = new ExcelJS.Workbook();
		await wb.xlsx.load(new Uint8Array(await exportBoard(database.db, board(2099))).buffer);
		expect(wb.worksheets.map((ws) => [ws.name, ws.actualRowCount])).toEqual([
			['需求清单', 1],
			['资源清单', 1],
			['项目清单', 1]
		]);
	});
});

describe('templates', () => {
	it('offer the import\'s headers and an example row that previews', async () => {
		const needs = await templateFor('needs');
		const preview = await previewNeeds(database.db, board(2040), needs, '需求清单模板.xlsx', who('member'));
		expect(preview.errors).toEqual([]);
		expect(preview.rows).toHaveLength(1);
		const resources = await templateFor('resources');
		const read = await readSheetRows(resources, 'r.xlsx', 'resources');
		expect(read.rows[0]).toEqual(['单位', '类型', '标题', '描述', '数量', '可提供时间', '联系方式']);
		// The example's unit is not one of this committee's: that is the only complaint.
		const r = await previewResources(database.db, board(2040), resources, 'r.xlsx', who('member'));
		expect(brief(r.errors)).toEqual([[2, '单位', 'boardSheet.error.notMemberUnit']]);
	});
});

describe('attachmentDisposition', () => {
	it('gives an ASCII fallback and the Chinese name as RFC 5987 filename*', () => {
		expect(attachmentDisposition('board-2027.xlsx', '幸福社区大党委-2027-三张清单.xlsx')).toBe(
			`attachment; filename="board-2027.xlsx"; filename*=UTF-8''${encodeURIComponent('幸福社区大党委-2027-三张清单.xlsx')}`
		);
		expect(attachmentDisposition('a"b.xlsx', "it's (1).xlsx")).toBe(`attachment; filename="a_b.xlsx"; filename*=UTF-8''it%27s%20%281%29.xlsx`);
	});
});
