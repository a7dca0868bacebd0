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
const panelOf = (page: Page) => page.locator('[data-testid=minutes-comments]');

/** Selects the first few characters of the n-th paragraph with text, as a finger would. */
async function selectInParagraph(page: Page, n: number): Promise<string> {
	return page.evaluate((n) => {
		const editor = document.querySelector('[data-testid=minutes-editor]')!;
		const para = [...editor.querySelectorAll(':scope > p')].filter((p) => (p.textContent ?? '').trim().length >= 4)[n]!;
		const walker = document.createTreeWalker(para, NodeFilter.SHOW_TEXT);
		const text = walker.nextNode() as Text;
		const range = document.createRange();
		const end = Math.min(6, text.length);
		range.setStart(text, 0);
		range.setEnd(text, end);
		const sel = window.getSelection()!;
		sel.removeAllRanges();
		sel.addRange(range);
		return text.data.slice(0, end);
	}, n);
}

describe('comment threads in the minutes', () => {
	it('a member comments on a paragraph with an @mention; the person mentioned finds it in the inbox, replies and resolves; in review the read-only member still comments (375 px)', async () => {
		const a = await signInPage(site.browser, site.server.http, 'recorder', PASSWORD, PHONE);
		const r = a.page;
		await r.locator('[data-testid=committee-list] a').first().click();
		await r.locator('[data-testid=meeting-list] a').first().click();
		await r.waitForURL(/\/meetings\//);
		const url = r.url();
		await r.click('[data-testid=transition-start]');
		await expect.poll(() => r.locator('[data-testid=meeting-state]').textContent()).toBe('进行中');

		const b = await signInPage(site.browser, site.server.http, 'member', PASSWORD, PHONE);
		const m = b.page;
		await m.goto(url);
		await expect.poll(() => editorOf(m).getAttribute('contenteditable'), { timeout: 15_000 }).toBe('true');
		await expect.poll(() => editorOf(m).locator(':scope > p').count(), { timeout: 15_000 }).toBeGreaterThan(0);
		await expect.poll(() => panelOf(m).isVisible(), { timeout: 10_000 }).toBe(true);

		const quote = await selectInParagraph(m, 0);
		await m.waitForTimeout(200);
		await m.click('[data-testid=add-comment]');
		const form = m.locator('[data-testid=new-thread-form]');
		await form.locator('textarea').fill('这里的表述请再斟酌，建议写明牵头单位。');
		await form.locator('summary').click();
		await form.locator('label', { hasText: '姚宇' }).locator('input').check();
		await form.locator('button[type=submit]').click();

		const thread = panelOf(m).locator('[data-testid=comment-thread]');
		await expect.poll(() => thread.count(), { timeout: 10_000 }).toBe(1);
		await expect.poll(() => thread.locator('blockquote').textContent()).toBe(quote);
		await expect.poll(() => thread.locator('[data-testid=comment-body]').textContent()).toBe('这里的表述请再斟酌，建议写明牵头单位。');
		await expect.poll(() => thread.textContent()).toContain('@姚宇');
		// The anchored text is highlighted for the writer and, through the live document, for everyone.
		await expect.poll(() => editorOf(m).locator('.comment-anchor').textContent(), { timeout: 10_000 }).toBe(quote);
		await expect.poll(() => editorOf(r).locator('.comment-anchor').textContent(), { timeout: 10_000 }).toBe(quote);
		// The page does not scroll sideways on a phone.
		expect(await m.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
		await m.screenshot({ path: path.join(shots, 'comment-member-375.png'), fullPage: false });

		// A (mentioned) finds it in the inbox, which opens the meeting at the thread.
		await r.goto(`${site.server.http}/inbox`);
		const mention = r.locator('[data-testid=inbox-item][data-kind=mention]');
		await expect.poll(() => mention.count(), { timeout: 10_000 }).toBe(1);
		expect(await mention.textContent()).toContain('郑华杰');
		await mention.locator('a').click();
		await r.waitForURL(/\/meetings\/[^#]+#thread-/);
		const rThread = panelOf(r).locator('[data-testid=comment-thread]');
		await expect.poll(() => rThread.count(), { timeout: 10_000 }).toBe(1);
		await expect.poll(() => rThread.getAttribute('class')).toContain('active');
		await expect.poll(() => rThread.locator('[data-testid=comment-body]').textContent()).toBe('这里的表述请再斟酌，建议写明牵头单位。');

		// A replies and resolves; B sees both after a reload.
		await rThread.locator('[data-testid=reply-form] textarea').fill('已补充：由社区卫生服务中心牵头。');
		await rThread.locator('[data-testid=reply-form] button[type=submit]').click();
		await expect.poll(() => rThread.locator('[data-testid=comment-body]').count()).toBe(2);
		await rThread.getByRole('button', { name: '标记为已解决' }).click();
		await expect.poll(() => r.locator('[data-testid=comment-tab-resolved]').textContent()).toBe('已解决 (1)');
		await r.screenshot({ path: path.join(shots, 'comment-recorder-375.png'), fullPage: false });

		// Resolved: the anchor stays but no longer stands out.
		await expect.poll(() => editorOf(r).locator('.comment-anchor').evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgba(0, 0, 0, 0)');

		// An agenda item gets a thread too, and shows how many are open.
		// (The demo meeting's agenda starts empty: the recorder adds an item.)
		await r.click('[data-testid=agenda-add]');
		await r.keyboard.type('老旧小区加装电梯', { delay: 10 });
		await expect.poll(() => r.locator('[data-testid=agenda-live] li.item input').first().inputValue()).toBe('老旧小区加装电梯');
		await expect.poll(() => r.locator('[data-testid=agenda-live]').innerText(), { timeout: 10_000 }).toContain('已保存');
		const toggle = r.locator('[data-testid=agenda-comments-toggle]').first();
		await expect.poll(() => toggle.textContent()).toContain('评论 0');
		await toggle.click();
		const agendaForm = r.locator('[data-testid=agenda-comments] [data-testid=new-thread-form]');
		await agendaForm.locator('textarea').fill('本议题请提前发材料。');
		await agendaForm.locator('button[type=submit]').click();
		await expect.poll(() => toggle.textContent(), { timeout: 10_000 }).toContain('评论 1');
		await expect.poll(() => r.locator('[data-testid=agenda-comments] [data-testid=comment-body]').allTextContents()).toEqual(['本议题请提前发材料。']);

		await m.reload();
		await m.locator('[data-testid=comment-tab-resolved]').click();
		await expect.poll(() => panelOf(m).locator('[data-testid=comment-body]').allTextContents(), { timeout: 10_000 }).toEqual([
			'这里的表述请再斟酌，建议写明牵头单位。',
			'已补充：由社区卫生服务中心牵头。'
		]);

		// In review the member's minutes are read-only, yet they still comment: the server puts the mark on.
		await r.click('[data-testid=transition-review]');
		await expect.poll(() => r.locator('[data-testid=meeting-state]').textContent()).toBe('纪要审阅');
		await m.reload();
		await expect.poll(() => m.locator('[data-testid=minutes-readonly]').count(), { timeout: 15_000 }).toBe(1);
		await expect.poll(() => editorOf(m).getAttribute('contenteditable')).toBe('false');
		const quote2 = await selectInParagraph(m, 1);
		await m.click('[data-testid=add-comment]');
		const form2 = m.locator('[data-testid=new-thread-form]');
		await form2.locator('textarea').fill('审阅意见：此处数字请核对。');
		await form2.locator('button[type=submit]').click();
		await expect.poll(() => m.locator('[data-testid=comment-tab-open]').textContent(), { timeout: 10_000 }).toBe('未解决 (1)');
		await expect.poll(() => editorOf(m).locator('.comment-anchor').allTextContents(), { timeout: 10_000 }).toContain(quote2);
		await expect.poll(() => editorOf(r).locator('.comment-anchor').allTextContents(), { timeout: 10_000 }).toContain(quote2);
		// The writer corrects their own comment.
		const own = panelOf(m).locator('[data-testid=comment-thread]').first();
		await own.getByRole('button', { name: '编辑' }).click();
		await own.locator('textarea').first().fill('审阅意见：第二段的数字请核对。');
		await own.getByRole('button', { name: '保存' }).click();
		await expect.poll(() => own.locator('[data-testid=comment-body]').textContent(), { timeout: 10_000 }).toBe('审阅意见：第二段的数字请核对。');
		expect(await own.textContent()).toContain('已编辑');
		await m.screenshot({ path: path.join(shots, 'comment-review-375.png'), fullPage: false });

		await a.context.close();
		await b.context.close();
	});

	it('a member comments on a need in the board, at 375 px', async () => {
		const b = await signInPage(site.browser, site.server.http, 'member', PASSWORD, PHONE);
		const m = b.page;
		await m.locator('[data-testid=committee-list] a').first().click();
		await m.waitForURL(/\/committees\/[0-9a-f-]{36}$/);
		await m.goto(`${m.url()}/board/${new Date().getFullYear()}`);
		await expect.poll(() => m.locator('[data-testid=collab-state]').getAttribute('data-state'), { timeout: 10_000 }).toBe('saved');
		await m.click('[data-testid=need-add]');
		await m.keyboard.type('楼道照明维修', { delay: 10 });
		await expect.poll(() => m.locator('[data-testid=collab-state]').getAttribute('data-state'), { timeout: 10_000 }).toBe('saved');
		const toggle = m.locator('[data-testid=need-row] [data-testid=card-comments-toggle]').first();
		await expect.poll(() => toggle.textContent(), { timeout: 10_000 }).toContain('评论 0');
		await toggle.click();
		const form = m.locator('[data-testid=card-comments] [data-testid=new-thread-form]');
		await form.locator('textarea').fill('涉及哪几栋楼？');
		await form.locator('button[type=submit]').click();
		await expect.poll(() => toggle.textContent(), { timeout: 10_000 }).toContain('评论 1');
		expect(await m.locator('[data-testid=card-comments] [data-testid=comment-body]').allTextContents()).toEqual(['涉及哪几栋楼？']);
		expect(await m.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
		await m.screenshot({ path: path.join(shots, 'comment-board-375.png'), fullPage: false });
		await b.context.close();
	});
});
