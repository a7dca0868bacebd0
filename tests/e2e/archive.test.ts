import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { cspViolations, signInPage } from '../helpers/browser';
import { useDemoSite } from '../helpers/demoSite';
import { hasPoppler, pdfText } from '../helpers/poppler';
import { apiGet, apiToken } from '../helpers/serverProcess';

const PASSWORD = 'demo-password';
const site = useDemoSite();
const shots = path.resolve('tests/e2e/artifacts');
const TOPIC = '垃圾分类督导员队伍建设';
const HOSTILE = '<img src=x onerror="window.__pwned=1">议题';

const stateOf = (page: Page) => page.locator('[data-testid=meeting-state]').textContent();

async function download(page: Page, selector: string): Promise<{ name: string; bytes: Buffer }> {
	const [file] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
	const target = path.join(os.tmpdir(), `gj-${Date.now()}-${Math.random().toString(36).slice(2)}`);
	await file.saveAs(target);
	const bytes = fs.readFileSync(target);
	fs.rmSync(target, { force: true });
	return { name: file.suggestedFilename(), bytes };
}

describe('the record in the browser', () => {
	it('finalized minutes enter the archive with a number; the archive finds them by a Chinese phrase; DOCX and PDF download', async () => {
		const convener = await signInPage(site.browser, site.server.http, 'convener', PASSWORD);
		const c = convener.page;
		await c.locator('[data-testid=committee-list] a').first().click();
		await c.locator('[data-testid=meeting-list] a').first().click();
		await c.waitForURL(/\/meetings\//);

		// The agenda item's title reaches the minutes when the meeting starts.
		await c.click('[data-testid=agenda-add]');
		await c.locator('li.item input[id$=-title]').first().pressSequentially(TOPIC, { delay: 10 });
		// A second item whose title is markup: it must come out as text everywhere.
		await c.click('[data-testid=agenda-add]');
		await c.locator('li.item input[id$=-title]').nth(1).fill(HOSTILE);
		await expect.poll(() => c.locator('[data-testid=agenda-live] [data-testid=collab-state]').getAttribute('data-state'), { timeout: 10_000 }).toBe('saved');
		await c.click('[data-testid=transition-start]');
		await expect.poll(() => stateOf(c)).toBe('进行中');
		await expect.poll(() => c.locator('.ProseMirror').textContent(), { timeout: 15_000 }).toContain(TOPIC);
		await c.click('[data-testid=transition-review]');
		await expect.poll(() => stateOf(c)).toBe('纪要审阅');
		await c.fill('[data-testid=finalize-override]', '各单位已在会上口头确认。');
		c.once('dialog', (d) => void d.accept());
		await c.click('[data-testid=transition-finalize]');
		await expect.poll(() => stateOf(c), { timeout: 15_000 }).toBe('定稿');

		// Printing the meeting page gives the minutes alone.
		await c.emulateMedia({ media: 'print' });
		expect(await c.locator('header.top').isVisible()).toBe(false);
		await expect.poll(() => c.locator('[data-testid=meeting-record]').count(), { timeout: 10_000 }).toBe(1);
		expect(await c.locator('[data-testid=meeting-record]').isVisible()).toBe(false);
		expect(await c.locator('[data-testid=minutes-live] .ProseMirror').isVisible()).toBe(true);
		await c.emulateMedia({ media: 'screen' });

		// The meeting names its record; the record page shows it verified.
		await expect.poll(() => c.locator('[data-testid=meeting-record]').textContent(), { timeout: 10_000 }).toMatch(/已归档：〔\d{4}〕第1号/);
		const label = (await c.locator('[data-testid=meeting-record]').textContent())!.match(/〔\d{4}〕第\d+号/)![0];
		await c.click('[data-testid=meeting-record-link]');
		await c.waitForURL(/\/records\//);
		await c.waitForSelector('body[data-hydrated]');
		expect(await c.locator('[data-testid=record-verify]').getAttribute('data-valid')).toBe('true');
		expect(await c.locator('[data-testid=record-view]').textContent()).toContain(TOPIC);
		expect(await c.locator('[data-testid=record-view]').textContent()).toContain(label);
		expect(await c.locator('[data-testid=record-view]').textContent()).toContain(HOSTILE);
		expect(await c.locator('[data-testid=record-view] img').count()).toBe(0);
		expect(await c.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
		await c.screenshot({ path: path.join(shots, 'record.png'), fullPage: true });
		// Printed, the record page is the document alone.
		await c.emulateMedia({ media: 'print' });
		expect(await c.locator('header.top').isVisible()).toBe(false);
		expect(await c.locator('[data-testid=record-header]').isVisible()).toBe(false);
		expect(await c.locator('[data-testid=record-view]').isVisible()).toBe(true);
		await c.emulateMedia({ media: 'screen' });

		// The same check over the API.
		const recordId = new URL(c.url()).pathname.split('/')[2]!;
		const token = await apiToken(site.server.http, 'convener', PASSWORD);
		expect(await apiGet(site.server.http, token, `/api/v1/records/${recordId}/verify`)).toMatchObject({ valid: true });
		expect((await fetch(`${site.server.http}/api/v1/records/${recordId}/verify`)).status).toBe(401);
		expect((await fetch(`${site.server.http}/api/v1/records/00000000-0000-4000-8000-000000000000/verify`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);

		const docx = await download(c, '[data-testid=record-download-docx]');
		expect(docx.name).toMatch(/\.docx$/);
		const documentXml = strFromU8(unzipSync(new Uint8Array(docx.bytes))['word/document.xml']!);
		expect(documentXml).toContain(TOPIC);
		expect(documentXml).toContain('w:w="11906"');

		const pdf = await download(c, '[data-testid=record-download-pdf]');
		expect(pdf.name).toMatch(/\.pdf$/);
		expect(pdf.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
		if (hasPoppler) {
			expect(pdfText(pdf.bytes).replace(/\s+/g, '')).toContain(TOPIC);
		} else if (process.env.CI) {
			throw new Error('pdftotext (poppler-utils) is missing; .ci/run installs it');
		}

		// A member on a phone searches the archive.
		const member = await signInPage(site.browser, site.server.http, 'convener', PASSWORD, { width: 375, height: 800 });
		const m = member.page;
		await m.goto(`${site.server.http}/archive`);
		await m.waitForSelector('body[data-hydrated]');
		await m.fill('[data-testid=archive-q]', '垃圾分类');
		await Promise.all([m.waitForURL(/q=/), m.click('[data-testid=archive-submit]')]);
		const item = m.locator('[data-testid=archive-item]', { hasText: label });
		await expect.poll(() => item.count()).toBe(1);
		expect(await item.locator('[data-testid=archive-snippet] mark').first().textContent()).toBe('垃圾分类');
		expect(await m.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
		await m.screenshot({ path: path.join(shots, 'archive-search-375.png'), fullPage: true });
		await m.fill('[data-testid=archive-q]', '不存在的词语组合');
		await Promise.all([m.waitForURL(/q=%E4%B8%8D/), m.click('[data-testid=archive-submit]')]);
		expect(await m.locator('[data-testid=archive-empty]').textContent()).toContain('没有找到包含“不存在的词语组合”的纪要');

		// The committee's yearly bundle, from the record's committee archive.
		await Promise.all([c.waitForURL(/\/committees\/[^/]+\/archive/), c.click('[data-testid=record-archive-link]')]);
		await c.waitForSelector('body[data-hydrated]');
		const bundle = await download(c, '[data-testid=archive-bundle]');
		expect(bundle.name).toMatch(/\.zip$/);
		const files = unzipSync(new Uint8Array(bundle.bytes));
		const manifest = JSON.parse(strFromU8(files['manifest.json']!)) as { records: { number: string; files: { pdf: string; docx: string; md: string } }[] };
		const entry = manifest.records.find((r) => r.number === label)!;
		expect(entry?.number).toBe(label);
		expect(Object.keys(files)).toEqual(expect.arrayContaining([entry.files.pdf, entry.files.docx, entry.files.md, '目录.pdf']));
		expect(strFromU8(files[entry.files.md]!)).toContain(TOPIC);

		// Nothing the pages needed was blocked by the Content-Security-Policy.
		expect(cspViolations(c)).toEqual([]);
		expect(cspViolations(m)).toEqual([]);
		// And it does block: a script injected into the page does not run, and the browser says why.
		await m.evaluate(() => {
			const s = document.createElement('script');
			s.textContent = 'window.__injected = 1';
			document.head.append(s);
		});
		expect(await m.evaluate(() => (window as unknown as { __injected?: number }).__injected)).toBeUndefined();
		await expect.poll(() => cspViolations(m).length).toBe(1);
		await member.context.close();
		await convener.context.close();
	});
});
