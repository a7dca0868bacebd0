import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { signInPage } from '../helpers/browser';
import { useDemoSite } from '../helpers/demoSite';

const PASSWORD = 'demo-password';
const site = useDemoSite();
const shots = path.resolve('tests/e2e/artifacts');


const editorOf = (page: Page) => page.locator('[data-testid=minutes-editor]');
const minutesText = (page: Page) => editorOf(page).innerText();

/** Puts the caret at the end of the minutes (they start laid out from the template, so a click lands anywhere). */
async function caretToEnd(page: Page) {
	await editorOf(page).locator(':scope > p, :scope > h1, :scope > h2, :scope > h3').last().click();
	// End alone only reaches the end of a visual line; Control+End the end of the document.
	await page.keyboard.press('Control+End');
}

async function openFirstMeeting(page: Page): Promise<string> {
	await page.locator('[data-testid=committee-list] a').first().click();
	await page.locator('[data-testid=meeting-list] a').first().click();
	await page.waitForURL(/\/meetings\//);
	return page.url();
}

/** Types Chinese the way a pinyin IME does: a composition that is updated, then committed. */
async function imeType(page: Page, steps: string[], commit: string) {
	const cdp = await page.context().newCDPSession(page);
	for (const s of steps) {
		await cdp.send('Input.imeSetComposition', { text: s, selectionStart: s.length, selectionEnd: s.length });
		await page.waitForTimeout(40);
	}
	await cdp.send('Input.insertText', { text: commit });
	await cdp.detach();
}

describe('live minutes', () => {
	it('recorder and a remote member co-write, insert a decision, IME works, the convener finalizes', async () => {
		const recorder = await signInPage(site.browser, site.server.http, 'recorder', PASSWORD);
		const r = recorder.page;
		const url = await openFirstMeeting(r);
		await r.click('[data-testid=transition-start]');
		await expect.poll(() => r.locator('[data-testid=meeting-state]').textContent()).toBe('进行中');

		const member = await signInPage(site.browser, site.server.http, 'parttime', PASSWORD, { width: 375, height: 800 });
		const m = member.page;
		await m.goto(url);
		await expect.poll(() => editorOf(m).getAttribute('contenteditable'), { timeout: 15_000 }).toBe('true');
		await expect.poll(() => editorOf(r).getAttribute('contenteditable'), { timeout: 15_000 }).toBe('true');

		// Recorder writes the opening line; the member sees it.
		await caretToEnd(r);
		await r.keyboard.press('Enter');
		await r.keyboard.type('会议传达了区委组织部文件精神。', { delay: 10 });
		await expect.poll(() => minutesText(m), { timeout: 10_000 }).toContain('会议传达了区委组织部文件精神。');

		// Both see the other's caret with a name.
		await caretToEnd(m);
		await expect.poll(() => r.locator('.collaboration-carets__label').allTextContents(), { timeout: 10_000 }).toContain('田斌军');
		await expect.poll(() => m.locator('.collaboration-carets__label').allTextContents(), { timeout: 10_000 }).toContain('姚宇');

		// Undo undoes only one's own edits.
		await r.waitForTimeout(700);
		await caretToEnd(r);
		await r.keyboard.type('（待撤销）', { delay: 10 });
		await m.keyboard.type('成员补充的意见', { delay: 10 });
		await expect.poll(() => minutesText(r), { timeout: 10_000 }).toContain('成员补充的意见');
		await r.keyboard.press('Control+z');
		await expect.poll(() => minutesText(r), { timeout: 10_000 }).not.toContain('（待撤销）');
		await expect.poll(() => minutesText(m), { timeout: 10_000 }).not.toContain('（待撤销）');
		expect(await minutesText(r)).toContain('成员补充的意见');
		expect(await minutesText(r)).toContain('会议传达了区委组织部文件精神。');

		// The member composes with a pinyin IME at the end while the recorder types at the start.
		await m.keyboard.press('Enter');
		const recorderTyping = (async () => {
			await editorOf(r).click();
			await r.keyboard.press('Control+Home');
			await r.keyboard.type('【草稿】', { delay: 30 });
		})();
		await imeType(m, ['y', 'yi', 'yiz', 'yizh', 'yizhi'], '一致同意');
		await imeType(m, ['t', 'to', 'ton', 'tong', 'tongg', 'tongguo'], '通过');
		await recorderTyping;
		const expectedBoth = (text: string) => text.includes('一致同意通过') && text.includes('【草稿】');
		await expect.poll(async () => expectedBoth(await minutesText(r)), { timeout: 10_000 }).toBe(true);
		await expect.poll(async () => expectedBoth(await minutesText(m)), { timeout: 10_000 }).toBe(true);
		for (const page of [r, m]) {
			const text = await minutesText(page);
			expect(text.split('一致同意通过').length - 1, 'composed text exactly once').toBe(1);
			expect(text.split('【草稿】').length - 1).toBe(1);
			expect(text).not.toMatch(/yizhi|tongguo/);
		}

		// The recorder inserts a decision with /决议 and sets its unit and due date, once the
		// concurrent typing has settled: a remote change arriving between a caret move and
		// ProseMirror reading it puts the caret back where it was.
		await r.waitForTimeout(1000);
		await caretToEnd(r);
		await r.waitForTimeout(300);
		await r.keyboard.press('Enter');
		await r.keyboard.type('/决议', { delay: 20 });
		await expect.poll(() => minutesText(r)).toContain('/决议');
		await r.keyboard.press('Enter');
		await r.keyboard.type('由驻区医院牵头，每月开展一次义诊进社区活动。', { delay: 10 });
		const block = r.locator('section.decision').first();
		await expect.poll(() => block.count()).toBe(1);
		await block.locator('summary').click();
		await block.locator('.decision-unit input').first().check();
		await block.locator('.decision-date input').fill('2027-03-31');
		await block.locator('.decision-date input').dispatchEvent('change');
		await expect.poll(() => m.locator('section.decision [data-testid=decision-units]').textContent(), { timeout: 10_000 }).not.toBe('（未指定）');
		await expect.poll(() => m.locator('section.decision .decision-due').textContent(), { timeout: 10_000 }).toBe('2027-03-31');
		await r.click('[data-testid=transition-review]');
		await expect.poll(() => r.locator('[data-testid=meeting-state]').textContent()).toBe('纪要审阅');
		await r.screenshot({ path: path.join(shots, 'minutes-review.png'), fullPage: true });

		// The convener finalizes.
		const convener = await signInPage(site.browser, site.server.http, 'convener', PASSWORD);
		const c = convener.page;
		await c.goto(url);
		// Nobody confirmed the minutes here (tests/e2e/confirmation.test.ts does): the convener overrides in writing.
		await c.fill('[data-testid=finalize-override]', '测试：跳过确认');
		c.once('dialog', (d) => void d.accept());
		await c.click('[data-testid=transition-finalize]');
		await expect.poll(() => c.locator('[data-testid=meeting-state]').textContent(), { timeout: 15_000 }).toBe('定稿');
		await expect.poll(() => editorOf(c).getAttribute('contenteditable')).toBe('false');
		// The member's open editor becomes read-only too (the server reconnects it read-only).
		await expect.poll(() => m.reload().then(() => editorOf(m).getAttribute('contenteditable')), { timeout: 15_000 }).toBe('false');

		// The decision became a project item that links back to its block.
		const item = c.locator('[data-testid=project-items] a').first();
		await expect.poll(() => item.textContent()).toContain('由驻区医院牵头');
		await expect.poll(() => c.locator('[data-testid=decision-status]').first().textContent(), { timeout: 10_000 }).toBe('未启动');
		await item.click();
		await c.waitForURL(/\/projects\//);
		expect(await c.locator('[data-testid=project-decision]').textContent()).toContain('每月开展一次义诊进社区活动');
		const back = await c.locator('[data-testid=project-origin-link]').getAttribute('href');
		expect(back).toMatch(/^\/meetings\/[0-9a-f-]+#decision-[0-9a-f-]+$/);
		await c.click('[data-testid=project-origin-link]');
		await expect.poll(() => c.locator(`section.decision[data-decision-id="${back!.split('#decision-')[1]}"]`).count(), { timeout: 10_000 }).toBe(1);
		await c.screenshot({ path: path.join(shots, 'minutes-finalized.png'), fullPage: true });

		await recorder.context.close();
		await member.context.close();
		await convener.context.close();
	});
});
