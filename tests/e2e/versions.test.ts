import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { signInPage } from '../helpers/browser';
import { useDemoSite } from '../helpers/demoSite';

const PASSWORD = 'demo-password';
const PHONE = { width: 375, height: 800 };
const site = useDemoSite();
const shots = path.resolve('tests/e2e/artifacts');


const editorOf = (page: Page) => page.locator('[data-testid=minutes-editor]');
const TYPED = '会议传达了区委组织部文件精神。';

describe('what changed since my last visit', () => {
	it('A edits the minutes; B opens the meeting later, sees the banner and the highlighted changes, marks them seen (375 px)', async () => {
		// B looks at the meeting first: that visit is the point "since" counts from.
		const b = await signInPage(site.browser, site.server.http, 'member', PASSWORD, PHONE);
		const m = b.page;
		await m.locator('[data-testid=committee-list] a').first().click();
		await m.locator('[data-testid=meeting-list] a').first().click();
		await m.waitForURL(/\/meetings\//);
		const url = m.url();
		await expect.poll(() => m.locator('[data-testid=version-history-link]').isVisible(), { timeout: 10_000 }).toBe(true);
		await m.waitForTimeout(500);
		expect(await m.locator('[data-testid=version-banner]').count()).toBe(0);

		// A starts the meeting and writes a line.
		const a = await signInPage(site.browser, site.server.http, 'recorder', PASSWORD);
		const r = a.page;
		await r.goto(url);
		await r.click('[data-testid=transition-start]');
		await expect.poll(() => r.locator('[data-testid=meeting-state]').textContent()).toBe('进行中');
		await expect.poll(() => editorOf(r).getAttribute('contenteditable'), { timeout: 15_000 }).toBe('true');
		// A saves a version of the laid-out minutes before writing (restored at the end).
		await expect.poll(() => editorOf(r).locator(':scope > *').count(), { timeout: 15_000 }).toBeGreaterThan(1);
		await r.click('[data-testid=version-save]');
		await r.waitForURL(/\/versions/);
		await expect.poll(() => r.locator('[role=status]').first().textContent()).toBe('已保存版本。');
		await r.goto(url);
		await expect.poll(() => editorOf(r).getAttribute('contenteditable'), { timeout: 15_000 }).toBe('true');
		await editorOf(r).locator(':scope > p, :scope > h1, :scope > h2, :scope > h3').last().click();
		await r.keyboard.press('Control+End');
		await r.keyboard.press('Enter');
		await r.keyboard.type(TYPED, { delay: 10 });
		await expect.poll(() => r.locator('[data-testid=minutes-live] [data-testid=collab-state]').getAttribute('data-state'), { timeout: 10_000 }).toBe('saved');
		// …and adds an agenda item.
		await r.click('[data-testid=agenda-add]');
		await r.keyboard.type('消防通道整治', { delay: 10 });
		await expect.poll(() => r.locator('[data-testid=agenda-live] [data-testid=collab-state]').getAttribute('data-state'), { timeout: 10_000 }).toBe('saved');

		// B comes back: the banner counts the changes and shows A's line as inserted, with A's name.
		await m.goto(url);
		const banner = m.locator('[data-testid=version-banner]');
		await expect.poll(() => banner.isVisible(), { timeout: 10_000 }).toBe(true);
		await expect.poll(() => banner.textContent()).toMatch(/自您上次查看（.+）以来有 \d+ 处修改/);
		await m.click('[data-testid=version-show]');
		const diff = m.locator('[data-testid=version-diff-minutes]');
		await expect.poll(() => diff.locator('[data-testid=diff-ins]').allTextContents()).toContain(TYPED);
		const recorderName = (await r.locator('[data-testid=presence-person]').first().getAttribute('title')) ?? '';
		await expect.poll(() => diff.locator('[data-testid=diff-authors]').textContent()).toContain(recorderName);
		// Inserted text is green, not just a tag.
		const colour = await diff.locator('[data-testid=diff-ins]', { hasText: TYPED }).evaluate((el) => getComputedStyle(el).backgroundColor);
		expect(colour).not.toBe('rgba(0, 0, 0, 0)');
		const width = await m.evaluate(() => document.documentElement.scrollWidth);
		expect(width).toBeLessThanOrEqual(375);
		await m.screenshot({ path: path.join(shots, 'versions-banner-375.png'), fullPage: false });

		// The new agenda item is marked on the agenda itself.
		await expect.poll(() => m.locator('[data-testid=agenda-changed]').count()).toBe(1);
		const marked = m.locator('li.item', { has: m.locator('[data-testid=agenda-changed]') });
		expect(await marked.locator('input[id$=-title]').inputValue()).toBe('消防通道整治');

		await m.click('[data-testid=version-seen]');
		await expect.poll(() => banner.count(), { timeout: 10_000 }).toBe(0);
		expect(await m.locator('[data-testid=agenda-changed]').count()).toBe(0);
		await m.reload();
		await m.waitForTimeout(1000);
		expect(await m.locator('[data-testid=version-banner]').count()).toBe(0);

		// The history lists the versions; comparing the one saved before writing with the current
		// content shows A's line as inserted.
		await m.click('[data-testid=version-history-link]');
		await m.waitForURL(/\/versions\?doc=minutes/);
		await expect.poll(() => m.locator('[data-testid=version-row]').count()).toBeGreaterThan(1);
		await m.locator('[data-testid=version-row]', { hasText: '手动保存' }).first().getByRole('link', { name: '比较' }).click();
		const compared = m.locator('[data-testid=version-compare-result]');
		await expect.poll(() => compared.locator('h2').textContent(), { timeout: 10_000 }).toMatch(/^#\d+ → 当前/);
		await expect.poll(() => compared.locator('[data-testid=diff-ins]').allTextContents()).toContain(TYPED);
		// B is a member: no restore.
		expect(await m.locator('[data-testid=version-restore]').count()).toBe(0);

		// A restores the version saved before writing: the line disappears for everyone.
		await r.goto(`${url}/versions?doc=minutes`);
		const startRow = r.locator('[data-testid=version-row]', { hasText: '手动保存' }).first();
		r.once('dialog', (d) => void d.accept());
		await startRow.locator('[data-testid=version-restore]').click();
		await expect.poll(() => r.locator('[data-testid=version-restored]').isVisible(), { timeout: 10_000 }).toBe(true);
		await r.goto(url);
		await expect.poll(() => editorOf(r).innerText(), { timeout: 10_000 }).not.toContain(TYPED);
		await expect.poll(() => editorOf(r).locator(':scope > *').count()).toBeGreaterThan(1);
		await r.goto(`${url}/versions?doc=minutes`);
		await expect.poll(() => r.locator('[data-testid=version-row]').first().textContent()).toContain('恢复版本');
		await r.setViewportSize(PHONE);
		await r.screenshot({ path: path.join(shots, 'versions-history-375.png'), fullPage: true });
		expect(await r.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
	});
});
