import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, signInPage } from '../helpers/browser';
import { freshServerEnv } from '../helpers/serverEnv';
import { startServer, type ServerProcess } from '../helpers/serverProcess';

const PASSWORD = 'demo-password';
let server: ServerProcess;
let browser: Browser;
let fresh: Awaited<ReturnType<typeof freshServerEnv>>;
const shots = path.resolve('tests/e2e/artifacts');

beforeAll(async () => {
	fs.mkdirSync(shots, { recursive: true });
	fresh = await freshServerEnv({ SEED: 'demo' });
	server = await startServer(fresh.env);
	browser = await launchBrowser();
});

afterAll(async () => {
	await browser?.close();
	await server?.kill('SIGTERM');
	await fresh?.cleanup();
});

async function noHorizontalScroll(page: Page) {
	const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
	expect(scroll, 'page scrolls sideways').toBeLessThanOrEqual(client + 1);
}

describe('meeting agenda in two browsers', () => {
	it('the convener schedules a meeting, two people edit its agenda live, and it survives a reload', async () => {
		const convener = await signInPage(browser, server.http, 'convener', PASSWORD);
		const a = convener.page;
		// Home lists the convener's committee; open it.
		await a.locator('[data-testid=committee-list] a').first().click();
		await a.waitForURL(/\/committees\//);
		await a.click('[data-testid=schedule-open]');
		// An empty title is refused with a message, and nothing else is lost.
		await a.fill('#startsAt', '2026-12-10T14:30');
		await a.click('form.schedule button[type=submit]');
		await expect.poll(() => a.locator('#title-error').textContent()).toContain('请填写会议名称');
		expect(await a.inputValue('#startsAt')).toBe('2026-12-10T14:30');
		await a.fill('#title', '十二月大党委例会');
		await a.fill('#place', '社区党群服务中心二楼会议室');
		await Promise.all([a.waitForURL(/\/meetings\//), a.click('form.schedule button[type=submit]')]);
		const meetingUrl = a.url();
		await expect.poll(() => a.locator('h1').textContent()).toBe('十二月大党委例会');

		// A part-time member on a phone opens the same meeting.
		const member = await signInPage(browser, server.http, 'parttime', PASSWORD, { width: 375, height: 740 });
		const b = member.page;
		await b.goto(meetingUrl);
		await expect.poll(() => b.locator('[data-testid=agenda-live] [data-testid=collab-state]').getAttribute('data-state')).toBe('saved');
		await expect.poll(() => a.locator('[data-testid=agenda-live] [data-testid=collab-state]').getAttribute('data-state')).toBe('saved');

		// Each sees the other in the presence list.
		await expect.poll(() => a.locator('[data-testid=agenda-live] [data-testid=presence]').textContent(), { timeout: 10_000 }).toContain('田斌军');
		await expect.poll(() => b.locator('[data-testid=agenda-live] [data-testid=presence]').textContent(), { timeout: 10_000 }).toContain('钟建涵');

		// The convener adds an item and types its title; the member sees it appear.
		await a.click('[data-testid=agenda-add]');
		const titleA = a.locator('li.item input[id$=-title]').first();
		await titleA.pressSequentially('传达学习上级文件精神', { delay: 15 });
		const titleB = b.locator('li.item input[id$=-title]').first();
		await expect.poll(() => titleB.inputValue(), { timeout: 10_000 }).toBe('传达学习上级文件精神');

		// While the convener types the presenter, the member types notes in the same item.
		await Promise.all([
			a.locator('li.item input[id$=-presenter]').first().pressSequentially('钟书记', { delay: 20 }),
			b.locator('li.item textarea[id$=-notes]').first().pressSequentially('请各单位提前阅读材料', { delay: 20 })
		]);
		// Both see where the other is editing.
		await expect.poll(() => a.locator('li.item .editing').textContent(), { timeout: 10_000 }).toContain('田斌军');
		await expect.poll(() => b.locator('li.item input[id$=-presenter]').first().inputValue()).toBe('钟书记');
		await expect.poll(() => a.locator('li.item textarea[id$=-notes]').first().inputValue()).toBe('请各单位提前阅读材料');

		// Both type into the same title at once: neither loses keystrokes.
		await titleB.click();
		await b.keyboard.press('End');
		await titleA.click();
		await a.keyboard.press('Home');
		await Promise.all([titleA.pressSequentially('一、', { delay: 25 }), titleB.pressSequentially('（第一项）', { delay: 25 })]);
		const expected = '一、传达学习上级文件精神（第一项）';
		await expect.poll(() => titleA.inputValue(), { timeout: 10_000 }).toBe(expected);
		await expect.poll(() => titleB.inputValue(), { timeout: 10_000 }).toBe(expected);
		await expect.poll(() => a.locator('[data-testid=agenda-live] [data-testid=collab-state]').getAttribute('data-state')).toBe('saved');
		await expect.poll(() => b.locator('[data-testid=agenda-live] [data-testid=collab-state]').getAttribute('data-state')).toBe('saved');

		await noHorizontalScroll(b);
		await b.screenshot({ path: path.join(shots, 'agenda-375.png'), fullPage: true });
		await a.screenshot({ path: path.join(shots, 'agenda-desktop.png'), fullPage: true });

		// Reload: everything is still there.
		await a.reload();
		await expect.poll(() => a.locator('li.item input[id$=-title]').first().inputValue(), { timeout: 10_000 }).toBe(expected);
		expect(await a.locator('li.item input[id$=-presenter]').first().inputValue()).toBe('钟书记');
		expect(await a.locator('li.item textarea[id$=-notes]').first().inputValue()).toBe('请各单位提前阅读材料');

		await convener.context.close();
		await member.context.close();
	});

	it('an observer sees the agenda read-only', async () => {
		const observer = await signInPage(browser, server.http, 'observer', PASSWORD, { width: 375, height: 740 });
		const page = observer.page;
		await page.locator('[data-testid=committee-list] a').first().click();
		await page.locator('[data-testid=meeting-list] a').first().click();
		await page.waitForURL(/\/meetings\//);
		await expect.poll(() => page.locator('[data-testid=agenda-readonly]').count(), { timeout: 10_000 }).toBe(1);
		expect(await page.locator('[data-testid=agenda-add]').count()).toBe(0);
		await noHorizontalScroll(page);
		await observer.context.close();
	});

	it('someone outside the committee is told there is no such page (not that the meeting exists)', async () => {
		// The convener of another community's committee is not in this one.
		const owner = await signInPage(browser, server.http, 'convener', PASSWORD);
		await owner.page.locator('[data-testid=committee-list] a').first().click();
		await owner.page.locator('[data-testid=meeting-list] a').first().click();
		await owner.page.waitForURL(/\/meetings\//);
		const url = owner.page.url();
		await owner.context.close();
		const outsider = await signInPage(browser, server.http, 's1.convener', PASSWORD);
		const res = await outsider.page.goto(url);
		expect(res?.status()).toBe(404);
		expect(await outsider.page.locator('main').textContent()).toContain('找不到这个页面');
		await outsider.context.close();
	});

	it('signs in, switches to English, and signs out', async () => {
		const { context, page } = await signInPage(browser, server.http, 'member', PASSWORD);
		await page.click('button[value=en]');
		await expect.poll(() => page.locator('header').textContent()).toContain('Sign out');
		await page.click('text=Sign out');
		await page.waitForURL(/\/login/);
		await page.goto(`${server.http}/`);
		expect(new URL(page.url()).pathname).toBe('/login');
		// A wrong password says so, in the chosen language.
		await page.fill('#username', 'member');
		await page.fill('#password', 'wrong-password');
		await page.click('main button[type=submit]');
		await expect.poll(() => page.locator('[role=alert]').textContent()).toContain('not correct');
		await context.close();
	});
});
