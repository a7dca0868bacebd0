import { strFromU8, unzipSync } from 'fflate';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { meetings } from '../../src/lib/server/db/schema';
import { transitionMeeting } from '../../src/lib/server/meetingLifecycle';
import { readableRecord } from '../../src/lib/server/record';
import { renderRecord, yearBundle } from '../../src/lib/server/recordExport';
import { hasPoppler, pdfText } from '../helpers/poppler';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createCommitteeFixture, type CommitteeFixture } from '../helpers/fixtures';
import { decision, docOf, h, p, writeMinutes } from '../helpers/minutes';
import type { PmJson } from '../../src/lib/server/minutes';

/*
 * What a malicious member can put into the minutes, through the real finalization, comes out of
 * every export as text: no script, no javascript:/data: link, nothing that runs.
 */
let database: TestDatabase;
let fx: CommitteeFixture;
let recordId: string;

const link = (text: string, href: string): PmJson => ({ type: 'paragraph', content: [{ type: 'text', text, marks: [{ type: 'link', attrs: { href } }] }] });

beforeAll(async () => {
	database = await createTestDatabase();
	fx = await createCommitteeFixture(database.db);
	const paragraphs: PmJson[] = [
		h(1, '<script>alert("title")</script>例会纪要'),
		p('<script>alert(1)</script>'),
		p('<img src=x onerror=alert(1)>'),
		link('恶意链接', 'javascript:alert(document.cookie)'),
		link('数据链接', 'data:text/html,<script>alert(1)</script>'),
		link('脚本链接', 'vbscript:msgbox(1)'),
		link('区政府网站', 'https://example.gov.cn/'),
		p(`超长行${'无标点'.repeat(1500)}`)
	];
	for (let i = 1; i <= 200; i++) paragraphs.push(p(`第${i}段：垃圾分类工作持续推进。`));
	paragraphs.push(decision('33333333-0000-4000-8000-000000000001', '<b>由测试医院牵头</b>', [fx.unitId], '2026-12-31'));
	await writeMinutes(database.db, fx.meetingId, docOf(...paragraphs));
	await database.db.update(meetings).set({ state: 'review' }).where(eq(meetings.id, fx.meetingId));
	const result = await transitionMeeting(database.db, { meetingId: fx.meetingId, transition: 'finalize', actor: { id: fx.people.convener.id, isAdmin: false }, override: '测试' });
	recordId = result.finalization!.record.id;
});
afterAll(() => database?.destroy());

describe('exports of hostile minutes', () => {
	it('Markdown: the script is text, only the https link is a link', async () => {
		const record = (await readableRecord(database.db, { id: fx.people.member.id, isAdmin: false }, recordId))!;
		const md = new TextDecoder().decode((await renderRecord(record, 'md')).bytes);
		expect(md).not.toMatch(/<script|<img|<b>/i);
		expect(md).toContain('&lt;script&gt;alert');
		expect(md).not.toMatch(/\]\((javascript|data|vbscript):/i);
		expect(md).toContain('](https://example.gov.cn/)');
		expect(md.match(/第\d+段/g)).toHaveLength(200);
		expect(md).toContain(`sha256: "${record.sha256}"`);
	});

	it('DOCX: no relationship to javascript:, data: or vbscript:, the text escaped', async () => {
		const record = (await readableRecord(database.db, { id: fx.people.member.id, isAdmin: false }, recordId))!;
		const files = unzipSync((await renderRecord(record, 'docx')).bytes);
		const rels = strFromU8(files['word/_rels/document.xml.rels']!);
		expect(rels).not.toMatch(/Target="(javascript|data|vbscript):/i);
		expect(rels).toContain('Target="https://example.gov.cn/"');
		const xml = strFromU8(files['word/document.xml']!);
		expect(xml).not.toContain('<script');
		expect(xml).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
		expect(xml).toContain('恶意链接');
		expect(xml.match(/第\d+段/g)).toHaveLength(200);
	});

	it.skipIf(!hasPoppler && !process.env.CI)('PDF: no JavaScript, no action but the https link; the script is text', async () => {
		const record = (await readableRecord(database.db, { id: fx.people.member.id, isAdmin: false }, recordId))!;
		const pdf = Buffer.from((await renderRecord(record, 'pdf')).bytes);
		const raw = pdf.toString('latin1');
		expect(raw).not.toMatch(/\/JavaScript|\/JS\b|\/Launch|\/OpenAction/);
		expect([...raw.matchAll(/\/URI \(([^)]*)\)/g)].map((m) => m[1])).toEqual(['https://example.gov.cn/']);
		const text = pdfText(pdf).replace(/\s+/g, '');
		expect(text).toContain('<script>alert(1)</script>');
		expect(text).toContain('第200段');
	});

	it('the yearly bundle holds the three exports and the manifest', async () => {
		const bundle = await yearBundle(database.db, { id: fx.committeeId, name: '测试/../委员会' }, 2026);
		const chunks: Uint8Array[] = [];
		const reader = bundle.stream.getReader();
		for (;;) {
			const { done, value } = await reader.read();
			if (done) break;
			chunks.push(value);
		}
		const files = unzipSync(new Uint8Array(Buffer.concat(chunks)));
		const names = Object.keys(files);
		expect(names).toHaveLength(5);
		expect(names.every((n) => !n.includes('..') && !n.startsWith('/'))).toBe(true);
		expect(bundle.fileName).not.toContain('/');
		const manifest = JSON.parse(strFromU8(files['manifest.json']!)) as { records: { files: Record<string, string> }[] };
		expect(Object.values(manifest.records[0]!.files).sort()).toEqual(names.filter((n) => /\.(pdf|docx|md)$/.test(n) && n !== '目录.pdf').sort());
	});
});
