/**
 * A large needs list imported from a spreadsheet into a board, on embedded PGlite (or the
 * PostgreSQL in DATABASE_URL): preview and import of N rows, each a card in one change.
 *
 *   npx tsx tests/bench/boardImport.ts [rows=5000]
 */
import ExcelJS from 'exceljs';
import { boardDocName, readNeeds } from '../../src/lib/docs/board';
import { importNeeds, previewNeeds } from '../../src/lib/server/boardSpreadsheet';
import { readDocument } from '../../src/lib/server/liveEdit';
import { createTestDatabase } from '../helpers/db';
import { createCommitteeFixture } from '../helpers/fixtures';

const rows = Number(process.argv[2] ?? 5000);
const database = await createTestDatabase();
try {
	const fx = await createCommitteeFixture(database.db);
	const wb = new ExcelJS.Workbook();
	const ws = wb.addWorksheet('需求清单');
	ws.addRow(['标题', '描述', '类别', '来源', '小区或地点', '优先级']);
	for (let i = 1; i <= rows; i++) ws.addRow([`需求第 ${i} 条`, `居民反映的第 ${i} 个问题，需要协调解决。`, '社区治理', '居民反映', `第 ${i % 40} 小区`, '中']);
	const bytes = new Uint8Array(await wb.xlsx.writeBuffer());
	const board = { committeeId: fx.committeeId, year: 2030 };
	const who = { id: fx.people.member.id, name: '委员', role: 'member' as const, unitId: null };

	let t0 = performance.now();
	const preview = await previewNeeds(database.db, board, bytes, 'needs.xlsx', who);
	const previewMs = performance.now() - t0;
	if (preview.errors.length > 0) throw new Error(`unexpected errors: ${JSON.stringify(preview.errors.slice(0, 3))}`);
	t0 = performance.now();
	const result = await importNeeds(database.db, board, bytes, 'needs.xlsx', who);
	const importMs = performance.now() - t0;
	if (!result.ok || result.added !== rows) throw new Error(`import failed: ${JSON.stringify(result)}`);
	const stored = await readDocument(database.db, boardDocName(board.committeeId, board.year), readNeeds);
	if (stored.length !== rows || stored[rows - 1]!.title !== `需求第 ${rows} 条`) throw new Error('the stored board does not hold the rows in file order');
	console.log(`${rows} rows (${(bytes.byteLength / 1024).toFixed(0)} KiB xlsx): preview ${previewMs.toFixed(0)} ms, import ${importMs.toFixed(0)} ms (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`);
} finally {
	await database.destroy();
}
