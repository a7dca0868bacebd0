import { eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addNeed, boardDocName, readNeeds } from '../../src/lib/docs/board';
import { DEFAULT_NEED_CATEGORIES } from '../../src/lib/domain/needCategory';
import { exportBoard, importNeeds, previewNeeds, templateFor, readSheetRows } from '../../src/lib/server/boardSpreadsheet';
import { auditLog, committees, communities, needCategories, streets, units } from '../../src/lib/server/db/schema';
import { editDocument, readDocument } from '../../src/lib/server/liveEdit';
import {
	addNeedCategory,
	districtOfCommittee,
	moveNeedCategory,
	needCategoriesOfCommittee,
	needCategoriesOfDistrict,
	NeedCategoryError,
	relabelNeedCategory,
	setNeedCategoryArchived
} from '../../src/lib/server/needCategory';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createCommitteeFixture, type CommitteeFixture } from '../helpers/fixtures';

let database: TestDatabase;
let fx: CommitteeFixture;
let districtId: string;

beforeAll(async () => {
	database = await createTestDatabase();
	fx = await createCommitteeFixture(database.db);
	const [unit] = await database.db.select().from(units).where(eq(units.id, fx.unitId));
	districtId = unit!.districtId;
});
afterAll(() => database?.destroy());

const keys = async () => (await needCategoriesOfDistrict(database.db, districtId)).map((c) => c.key);
const refusal = async (run: () => Promise<unknown>) => {
	try {
		await run();
	} catch (err) {
		if (err instanceof NeedCategoryError) return err.key;
		throw err;
	}
	return null;
};

async function xlsxOf(rows: string[][]): Promise<Uint8Array> {
	const wb = new ExcelJS.Workbook();
	const ws = wb.addWorksheet('需求清单');
	for (const row of rows) ws.addRow(row);
	return new Uint8Array(await wb.xlsx.writeBuffer());
}

describe('need categories per district', () => {
	it('finds the district of a community committee and of a street committee', async () => {
		expect(await districtOfCommittee(database.db, fx.committeeId)).toBe(districtId);
		const [community] = await database.db.select().from(communities).innerJoin(committees, eq(committees.communityId, communities.id)).where(eq(committees.id, fx.committeeId));
		const [street] = await database.db.select().from(streets).where(eq(streets.id, community!.communities.streetId));
		const [streetCommittee] = await database.db.insert(committees).values({ kind: 'street', name: `${street!.name}大工委`, streetId: street!.id }).returning();
		expect(await districtOfCommittee(database.db, streetCommittee!.id)).toBe(districtId);
		expect(await districtOfCommittee(database.db, '00000000-0000-0000-0000-000000000000')).toBeNull();
	});

	it('starts from the built-in six without writing anything', async () => {
		expect(await needCategoriesOfCommittee(database.db, fx.committeeId)).toEqual(DEFAULT_NEED_CATEGORIES);
		expect(await database.db.select().from(needCategories).where(eq(needCategories.districtId, districtId))).toEqual([]);
	});

	it('adds a category before "other", relabels it, moves it, archives and restores it, with audit rows', async () => {
		const added = await addNeedCategory(database.db, fx.people.admin.id, districtId, { labelZh: ' 为老服务 ', labelEn: 'Elderly care' });
		expect(added.labelZh).toBe('为老服务');
		expect(added.key).toMatch(/^c-[0-9a-f]{10}$/);
		expect(await keys()).toEqual(['party_building', 'governance', 'infrastructure', 'culture_sports', 'care', added.key, 'other']);

		await relabelNeedCategory(database.db, fx.people.admin.id, districtId, added.key, { labelZh: '养老服务', labelEn: 'Elderly services' });
		await moveNeedCategory(database.db, fx.people.admin.id, districtId, added.key, -1);
		await moveNeedCategory(database.db, fx.people.admin.id, districtId, 'party_building', -1); // already first: nothing moves
		expect(await keys()).toEqual(['party_building', 'governance', 'infrastructure', 'culture_sports', added.key, 'care', 'other']);

		await setNeedCategoryArchived(database.db, fx.people.admin.id, districtId, 'culture_sports', true);
		let list = await needCategoriesOfDistrict(database.db, districtId);
		expect(list.find((c) => c.key === 'culture_sports')?.archived).toBe(true);
		expect(list.find((c) => c.key === added.key)).toEqual({ key: added.key, labelZh: '养老服务', labelEn: 'Elderly services', archived: false });
		await setNeedCategoryArchived(database.db, fx.people.admin.id, districtId, 'culture_sports', false);
		list = await needCategoriesOfDistrict(database.db, districtId);
		expect(list.every((c) => !c.archived)).toBe(true);

		const audit = await database.db.select({ action: auditLog.action }).from(auditLog).where(eq(auditLog.subject, `district:${districtId}`));
		expect(audit.map((a) => a.action)).toEqual(['category.add', 'category.relabel', 'category.move', 'category.archive', 'category.restore']);
	});

	it('refuses an empty, too long or duplicate label, an unknown key and archiving "other", changing nothing', async () => {
		const before = await needCategoriesOfDistrict(database.db, districtId);
		expect(await refusal(() => addNeedCategory(database.db, fx.people.admin.id, districtId, { labelZh: '  ', labelEn: '' }))).toBe('category.labelRequired');
		expect(await refusal(() => addNeedCategory(database.db, fx.people.admin.id, districtId, { labelZh: '很'.repeat(21), labelEn: '' }))).toBe('category.labelTooLong');
		expect(await refusal(() => addNeedCategory(database.db, fx.people.admin.id, districtId, { labelZh: '基础设施', labelEn: '' }))).toBe('category.labelTaken');
		expect(await refusal(() => relabelNeedCategory(database.db, fx.people.admin.id, districtId, 'care', { labelZh: '社区治理', labelEn: '' }))).toBe('category.labelTaken');
		expect(await refusal(() => relabelNeedCategory(database.db, fx.people.admin.id, districtId, 'nope', { labelZh: '新名字', labelEn: '' }))).toBe('category.notFound');
		expect(await refusal(() => setNeedCategoryArchived(database.db, fx.people.admin.id, districtId, 'other', true))).toBe('category.otherIsFixed');
		expect(await needCategoriesOfDistrict(database.db, districtId)).toEqual(before);
	});

	it('imports needs by the district\'s own labels, refuses an archived category by name, and exports the labels', async () => {
		const list = await needCategoriesOfDistrict(database.db, districtId);
		const elderly = list.find((c) => c.labelZh === '养老服务')!;
		await setNeedCategoryArchived(database.db, fx.people.admin.id, districtId, 'culture_sports', true);
		const board = { committeeId: fx.committeeId, year: 2031 };
		const who = { id: fx.people.member.id, name: '委员', role: 'member' as const, unitId: null };

		const bad = await previewNeeds(database.db, board, await xlsxOf([['标题', '类别'], ['送餐上门', '养老服务'], ['广场舞场地', '文体活动']]), 'n.xlsx', who);
		expect(bad.errors.map((e) => [e.line, e.key])).toEqual([[3, 'boardSheet.error.unknownCategory']]);
		expect(String(bad.errors[0]!.params?.allowed)).toContain('养老服务');
		expect(String(bad.errors[0]!.params?.allowed)).not.toContain('文体活动');

		const good = await xlsxOf([['标题', '类别'], ['送餐上门', '养老服务'], ['助浴服务', 'Elderly services'], ['路灯', '']]);
		const preview = await previewNeeds(database.db, board, good, 'n.xlsx', who);
		expect(preview.rows.map((r) => [r.category, r.categoryLabel.zh])).toEqual([
			[elderly.key, '养老服务'],
			[elderly.key, '养老服务'],
			['other', '其他']
		]);
		expect(await importNeeds(database.db, board, good, 'n.xlsx', who)).toEqual({ ok: true, added: 3 });
		const cards = await readDocument(database.db, boardDocName(board.committeeId, board.year), readNeeds);
		expect(cards.map((n) => n.category)).toEqual([elderly.key, elderly.key, 'other']);

		// A card keeps its archived category; the export names it as the district does.
		await editDocument(database.db, boardDocName(board.committeeId, board.year), (doc) => {
			addNeed(doc, { title: '篮球场', category: 'culture_sports', submittedBy: who.id, submittedByName: who.name });
		});
		const wb = new ExcelJS.Workbook();
		await wb.xlsx.load(new Uint8Array(await exportBoard(database.db, board)).buffer);
		const column = wb.getWorksheet('需求清单')!.getColumn(3).values.slice(2);
		expect(column).toEqual(['养老服务', '养老服务', '其他', '文体活动']);

		// The template's drop-down and instructions offer the live categories only.
		const template = await templateFor('needs', await needCategoriesOfCommittee(database.db, fx.committeeId));
		const help = (await readSheetRows(template, 't.xlsx')).rows;
		expect(help.length).toBeGreaterThan(0);
		const tb = new ExcelJS.Workbook();
		await tb.xlsx.load(new Uint8Array(template).buffer);
		const helpText = tb.getWorksheet('填写说明')!.getColumn(2).values.join('\n');
		expect(helpText).toContain('养老服务');
		expect(helpText).not.toContain('文体活动');
	});
});
