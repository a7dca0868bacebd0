import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, signInPage } from '../helpers/browser';
import { freshServerEnv } from '../helpers/serverEnv';
import { startServer, type ServerProcess } from '../helpers/serverProcess';

const PASSWORD = 'demo-password';
// The board of the current year in China, where the seed's upcoming meeting is.
const YEAR = new Date(Date.now() + 8 * 3600_000).getUTCFullYear();
const PHONE = { width: 375, height: 740 };
const DESKTOP = { width: 1280, height: 900 };
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

async function noHorizontalScroll(page: Page, what: string) {
	const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
	expect(scroll, `${what} scrolls sideways`).toBeLessThanOrEqual(client + 1);
}

async function saved(page: Page, scope = '') {
	await expect.poll(() => page.locator(`${scope} [data-testid=collab-state]`.trim()).getAttribute('data-state'), { timeout: 10_000 }).toBe('saved');
}

const field = (row: Locator, name: string) => row.locator(`[id$="-${name}"]`).first();

describe('matching needs with resources into projects', () => {
	it('the convener matches a need with a suggested resource, proposes a project and puts it on the next agenda', async () => {
		const convener = await signInPage(browser, server.http, 'convener', PASSWORD);
		const a = convener.page;
		await a.locator('[data-testid=committee-list] a').first().click();
		await a.waitForURL(/\/committees\/[0-9a-f-]{36}$/);
		await a.goto(`${a.url()}/board/${YEAR}`);
		await saved(a);
		// Nothing counted yet.
		expect(await a.locator('[data-testid=summary-figures]').textContent()).toContain('需求 0 条');

		// A need and two resources: one that answers it, one that does not.
		await a.click('[data-testid=need-add]');
		await a.keyboard.type('独居老人助餐送餐', { delay: 5 });
		const need = a.locator('[data-testid=need-row]').first();
		await field(need, 'description').fill('社区独居老人多，行动不便，希望有人定期送餐上门');
		await field(need, 'category').selectOption('care');

		await a.click('[data-testid=board-tab-resources]');
		await a.click('[data-testid=resource-add]');
		await a.keyboard.type('助老送餐志愿服务队', { delay: 5 });
		const helpers = a.locator('[data-testid=resource-row]').first();
		await field(helpers, 'description').fill('组织党员志愿者每周为独居老人送餐上门');
		await field(helpers, 'type').selectOption('people');
		await a.click('[data-testid=resource-add]');
		await a.keyboard.type('法律咨询', { delay: 5 });
		await field(a.locator('[data-testid=resource-row]').nth(1), 'type').selectOption('expertise');
		const unitName = (await a.locator('[data-testid=resource-add-unit] option:checked').textContent())!.trim();
		await saved(a);

		// From the needs list, "对接资源" opens the matching with the open need chosen.
		await a.click('[data-testid=board-tab-needs]');
		await a.click('[data-testid=need-match]');
		expect(await a.locator('[data-testid=board-panel]').getAttribute('data-tab')).toBe('proposals');
		const panel = a.locator('[data-testid=match-panel]');
		expect(await panel.locator('[data-testid=match-need] option:checked').textContent()).toContain('独居老人助餐送餐');
		// The fitting resource is suggested first, with the reason; the other one is only listed.
		const suggested = panel.locator('[data-testid=match-suggested] [data-testid=match-resource]');
		await expect.poll(() => suggested.count()).toBe(1);
		expect(await suggested.textContent()).toContain('助老送餐志愿服务队');
		const why = await suggested.locator('[data-testid=match-why]').textContent();
		expect(why).toContain('为什么推荐');
		expect(why).toContain('类型相符');
		expect(why).toContain('送餐');
		expect(await panel.locator('[data-testid=match-others]').textContent()).toContain('法律咨询');

		// Choosing it fills in the responsible unit; title, level and due date come prefilled.
		await suggested.locator('input[type=checkbox]').check();
		expect(await panel.locator('[data-testid=propose-title]').inputValue()).toBe('独居老人助餐送餐');
		const units = panel.locator('[data-testid=propose-units] input:checked');
		await expect.poll(() => units.count()).toBe(1);
		expect(await units.locator('xpath=..').textContent()).toContain(unitName);
		expect(await panel.locator('[data-testid=propose-level]').inputValue()).toBe('community');
		expect(await panel.locator('[data-testid=propose-due]').inputValue()).toBe(`${YEAR}-12-31`);
		await panel.locator('[data-testid=propose-title]').fill('独居老人助餐送餐项目');
		await panel.locator('[data-testid=propose-due]').fill(`${YEAR}-12-20`);
		await panel.locator('[data-testid=propose-submit]').click();
		expect(await panel.locator('[data-testid=match-done]').textContent()).toContain('独居老人助餐送餐项目');

		const proposal = a.locator('[data-testid=proposal]');
		await expect.poll(() => proposal.count()).toBe(1);
		expect(await proposal.locator('[data-testid=proposal-status]').textContent()).toContain('待列入议程');
		const text = await proposal.textContent();
		for (const part of ['独居老人助餐送餐', '助老送餐志愿服务队', unitName, `${YEAR}-12-20`, '社区']) expect(text, part).toContain(part);

		// One action puts it on the next meeting's agenda; the board shows where it went.
		await proposal.locator('[data-testid=proposal-schedule]').click();
		await expect.poll(() => proposal.locator('[data-testid=proposal-result]').textContent(), { timeout: 15_000 }).toContain('已列入下次会议议程');
		await expect.poll(() => proposal.getAttribute('data-status'), { timeout: 10_000 }).toBe('on_agenda');
		expect(await proposal.locator('[data-testid=proposal-schedule]').count()).toBe(0);
		const meetingHref = (await proposal.locator('[data-testid=proposal-meeting]').getAttribute('href'))!;
		expect(meetingHref).toMatch(/^\/meetings\/[0-9a-f-]{36}$/);

		// The project list waits for the meeting to approve it.
		await a.click('[data-testid=board-tab-projects]');
		expect(await a.locator('[data-testid=project-list-empty]').textContent()).toContain('还没有跟踪项目');

		// The summary catches up with the saved lists by itself a few seconds after the edits.
		const figures = a.locator('[data-testid=summary-figures]');
		await expect.poll(() => figures.textContent(), { timeout: 30_000 }).toContain('已对接 100%');
		expect(await figures.textContent()).toContain('需求 1 条');
		expect(await figures.textContent()).toContain('资源 2 条');
		await a.click('[data-testid=board-summary] summary');
		expect(await a.locator('[data-testid=summary-share]').textContent()).toContain('100%');
		expect(await a.locator('[data-testid=summary-category]').textContent()).toContain('帮扶关爱');
		expect(await a.locator('[data-testid=summary-status]').textContent()).toContain('已匹配');
		expect(await a.locator('[data-testid=board-summary]').textContent()).toMatch(/统计于 \d{2}:\d{2}/);
		await a.screenshot({ path: path.join(shots, 'board-projects-desktop.png'), fullPage: true });

		// On a phone every new panel fits the width.
		await a.setViewportSize(PHONE);
		await noHorizontalScroll(a, 'project list and summary at 375 px');
		await a.screenshot({ path: path.join(shots, 'board-projects-375.png'), fullPage: true });
		await a.click('[data-testid=board-tab-proposals]');
		await expect.poll(() => a.locator('[data-testid=proposal]').count()).toBe(1);
		await noHorizontalScroll(a, 'matching and proposals at 375 px');
		await a.screenshot({ path: path.join(shots, 'board-proposals-375.png'), fullPage: true });
		await a.setViewportSize(DESKTOP);

		// The meeting's agenda carries the proposal.
		await a.goto(`${server.http}${meetingHref}`);
		await saved(a, '[data-testid=agenda-live]');
		const titles = a.locator('li.item input[id$=-title]');
		await expect.poll(() => titles.evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value)), { timeout: 10_000 }).toContain('独居老人助餐送餐项目');
		// …and links back to it on the board.
		const origin = a.locator('[data-testid=agenda-proposal] a');
		expect(await origin.textContent()).toContain('来自项目提案：独居老人助餐送餐项目');
		expect(await origin.getAttribute('href')).toMatch(new RegExp(`/board/${YEAR}\\?tab=proposals$`));
		await convener.context.close();
	});

	it('a proposal meets two needs, is edited, and another one is withdrawn, its need open again', async () => {
		const convener = await signInPage(browser, server.http, 'convener', PASSWORD);
		const a = convener.page;
		await a.locator('[data-testid=committee-list] a').first().click();
		await a.waitForURL(/\/committees\/[0-9a-f-]{36}$/);
		await a.goto(`${a.url()}/board/${YEAR}`);
		await saved(a);

		// Three more needs and a resource that can answer the first two.
		for (const title of ['楼道照明不足', '单元门禁损坏', '小区停车难']) {
			await a.click('[data-testid=need-add]');
			await a.keyboard.type(title, { delay: 5 });
		}
		await a.click('[data-testid=board-tab-resources]');
		await a.click('[data-testid=resource-add]');
		await a.keyboard.type('物业维修班组', { delay: 5 });
		await saved(a);

		// One project for two needs: the second is ticked in the collapsible list, by keyboard.
		await a.click('[data-testid=board-tab-proposals]');
		const panel = a.locator('[data-testid=match-panel]');
		const needSelect = panel.locator('[data-testid=match-need]');
		await needSelect.selectOption({ label: '楼道照明不足' });
		const lightingId = await needSelect.inputValue();
		const also = panel.locator('[data-testid=match-also-needs]');
		expect(await also.getAttribute('open')).toBeNull();
		await also.locator('summary').focus();
		await a.keyboard.press('Enter');
		await expect.poll(() => also.getAttribute('open')).not.toBeNull();
		const door = also.locator('[data-testid=match-also-need]', { hasText: '单元门禁损坏' });
		const doorId = (await door.getAttribute('data-need-id'))!;
		await door.locator('input').focus();
		await a.keyboard.press('Space');
		expect(await door.locator('input').isChecked()).toBe(true);
		expect(await also.locator('summary').textContent()).toContain('已选 1 条');
		await panel.locator('[data-testid=match-resource]', { hasText: '物业维修班组' }).locator('input').check();
		await panel.locator('[data-testid=propose-title]').fill('楼道照明与门禁维修');
		await panel.locator('[data-testid=propose-submit]').click();
		const both = a.locator('[data-testid=proposal]', { hasText: '楼道照明与门禁维修' });
		await expect.poll(() => both.count()).toBe(1);
		const bothText = await both.textContent();
		for (const part of ['楼道照明不足', '单元门禁损坏', '物业维修班组']) expect(bothText, part).toContain(part);

		// A second proposal, for the third need, started from that need's own "对接资源".
		await a.click('[data-testid=board-tab-needs]');
		const needRows = a.locator('[data-testid=need-row]');
		const needTitles = await needRows.locator('[id$="-title"]').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
		await needRows.nth(needTitles.indexOf('小区停车难')).locator('[data-testid=card-match]').click();
		expect(await a.locator('[data-testid=board-panel]').getAttribute('data-tab')).toBe('proposals');
		expect(await needSelect.locator('option:checked').textContent()).toContain('小区停车难');
		const parkingId = await needSelect.inputValue();
		await panel.locator('[data-testid=match-resource]', { hasText: '物业维修班组' }).locator('input').check();
		await panel.locator('[data-testid=propose-title]').fill('错时停车协调');
		await panel.locator('[data-testid=propose-submit]').click();
		const parking = a.locator('[data-testid=proposal]', { hasText: '错时停车协调' });
		await expect.poll(() => parking.count()).toBe(1);

		// Editing the first one's title: an empty title is refused with the proposing form's message.
		await both.locator('[data-testid=proposal-edit]').click();
		const form = both.locator('[data-testid=proposal-edit-form]');
		const editTitle = form.locator('[data-testid=proposal-edit-title]');
		expect(await editTitle.evaluate((e) => e === document.activeElement)).toBe(true);
		expect(await form.locator('[data-testid=proposal-edit-need] input:checked').count()).toBe(2);
		await editTitle.fill('  ');
		await form.locator('[data-testid=proposal-edit-save]').click();
		expect(await form.locator('[data-testid=proposal-edit-errors]').textContent()).toContain('请填写项目名称');
		// The edit form fits a phone too.
		await a.setViewportSize(PHONE);
		await noHorizontalScroll(a, 'proposal edit form at 375 px');
		await a.screenshot({ path: path.join(shots, 'board-proposal-edit-375.png'), fullPage: true });
		await a.setViewportSize(DESKTOP);
		await editTitle.fill('楼道照明与门禁维修项目');
		await form.locator('[data-testid=proposal-edit-save]').click();
		const edited = a.locator('[data-testid=proposal]', { hasText: '楼道照明与门禁维修项目' });
		await expect.poll(() => edited.count()).toBe(1);
		expect(await edited.locator('[data-testid=proposal-edit-form]').count()).toBe(0);
		expect(await edited.locator('[data-testid=proposal-done]').textContent()).toContain('已保存');

		// Withdrawing the second one asks first, inline.
		await parking.locator('[data-testid=proposal-withdraw]').click();
		expect(await parking.locator('[data-testid=proposal-withdraw-ask]').textContent()).toContain('错时停车协调');
		await parking.locator('[data-testid=proposal-withdraw-cancel]').click();
		expect(await parking.getAttribute('data-status')).toBe('proposed');
		await parking.locator('[data-testid=proposal-withdraw]').click();
		await parking.locator('[data-testid=proposal-withdraw-confirm]').click();
		// Withdrawn proposals are hidden until asked for, then shown greyed as 已撤回.
		await expect.poll(() => parking.count()).toBe(0);
		expect(await a.locator('[data-testid=proposals-announce]').textContent()).toContain('已撤回');
		await a.locator('[data-testid=proposals-show-withdrawn]').check();
		await expect.poll(() => parking.count()).toBe(1);
		expect(await parking.getAttribute('data-status')).toBe('withdrawn');
		expect(await parking.locator('[data-testid=proposal-status]').textContent()).toContain('已撤回');
		expect(await parking.locator('[data-testid=proposal-edit]').count()).toBe(0);
		expect(await parking.locator('[data-testid=proposal-withdraw]').count()).toBe(0);
		await saved(a);

		// The withdrawn proposal's need waits for a project again; the other two stay matched.
		await a.click('[data-testid=board-tab-needs]');
		const status = (id: string) => field(a.locator(`[data-testid=need-row][data-card-id="${id}"]`), 'status');
		await expect.poll(() => status(parkingId).inputValue()).toBe('open');
		expect(await status(parkingId).locator('option:checked').textContent()).toContain('待对接');
		expect(await status(lightingId).inputValue()).toBe('matched');
		expect(await status(doorId).inputValue()).toBe('matched');

		// After a reload (from the server's copy) everything is still so.
		await a.reload();
		await saved(a);
		await a.click('[data-testid=board-tab-proposals]');
		await expect.poll(() => a.locator('[data-testid=proposal]', { hasText: '楼道照明与门禁维修项目' }).count()).toBe(1);
		expect(await a.locator('[data-testid=proposal]', { hasText: '错时停车协调' }).count()).toBe(0);
		await convener.context.close();
	});
});
