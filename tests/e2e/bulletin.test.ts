import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { cspViolations, signInPage } from '../helpers/browser';
import { useDemoSite } from '../helpers/demoSite';

const PASSWORD = 'demo-password';
const site = useDemoSite();
const shots = path.resolve('tests/e2e/artifacts');
const HIGHLIGHT = '东湖小学把垃圾分类搬进课堂，居民好评如潮。';

describe('a quarterly bulletin in the browser', () => {
	it('the convener drafts it from the figures, writes the highlights, refreshes (the text stays), finalizes it into the record', async () => {
		// c02's convener chairs a committee with tracked items in the demo.
		const { page: c, context } = await signInPage(site.browser, site.server.http, 'c02.convener', PASSWORD, { width: 375, height: 800 });
		await c.goto(`${site.server.http}/bulletins`);
		await c.waitForSelector('body[data-hydrated]');
		await Promise.all([c.waitForURL(/\/bulletins\/[0-9a-f-]+\/\d{4}-Q[1-4]$/), c.click('[data-testid=bulletin-draft-submit]')]);
		await c.waitForSelector('body[data-hydrated]');
		const editor = c.locator('[data-testid=bulletin-live] .ProseMirror');
		await expect.poll(() => editor.textContent(), { timeout: 15_000 }).toContain('共跟踪共建项目5个');
		expect(await editor.locator('table[data-generated=units]').count()).toBe(1);

		// The highlights are written by hand, under their heading.
		await expect.poll(() => c.locator('[data-testid=bulletin-live] [data-testid=collab-state]').getAttribute('data-state'), { timeout: 10_000 }).toBe('saved');
		await editor.locator('h2', { hasText: '工作亮点' }).locator('xpath=following-sibling::p[1]').click();
		await c.keyboard.type(HIGHLIGHT, { delay: 5 });
		await expect.poll(() => c.locator('[data-testid=bulletin-live] [data-testid=collab-state]').getAttribute('data-state'), { timeout: 10_000 }).toBe('saved');

		// Refreshing the figures keeps it.
		await c.click('[data-testid=bulletin-refresh]');
		await expect.poll(() => c.locator('[data-testid=bulletin-refreshed]').count(), { timeout: 10_000 }).toBe(1);
		await expect.poll(() => editor.textContent()).toContain(HIGHLIGHT);
		expect((await editor.textContent())!.match(/数据截至/g)).toHaveLength(1);
		expect(await c.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
		await c.screenshot({ path: path.join(shots, 'bulletin-375.png'), fullPage: true });

		// Finalized: numbered in its own series, read-only, in the record with the highlight.
		c.once('dialog', (d) => void d.accept());
		await c.click('[data-testid=bulletin-freeze]');
		await expect.poll(() => c.locator('[data-testid=bulletin-record]').textContent(), { timeout: 15_000 }).toMatch(/已归档：督查通报〔\d{4}〕第1号/);
		expect(await c.locator('[data-testid=bulletin-state]').getAttribute('data-state')).toBe('frozen');
		await expect.poll(() => editor.getAttribute('contenteditable')).toBe('false');
		await c.click('[data-testid=bulletin-record-link]');
		await c.waitForURL(/\/records\//);
		expect(await c.locator('[data-testid=record-view]').textContent()).toContain(HIGHLIGHT);
		const [download] = await Promise.all([c.waitForEvent('download'), c.click('[data-testid=record-download-docx]')]);
		const file = path.join(os.tmpdir(), `gj-bulletin-${Date.now()}.docx`);
		await download.saveAs(file);
		const xml = strFromU8(unzipSync(new Uint8Array(fs.readFileSync(file)))['word/document.xml']!);
		fs.rmSync(file, { force: true });
		expect(xml).toContain(HIGHLIGHT);
		expect(xml).toContain('督查通报〔');
		expect(cspViolations(c)).toEqual([]);
		await context.close();
	});
});
