import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, signInPage } from '../helpers/browser';
import { freshServerEnv } from '../helpers/serverEnv';
import { startServer, type ServerProcess } from '../helpers/serverProcess';

const PASSWORD = 'demo-password';
const ADMIN_PASSWORD = 'admin-password-1';
const YEAR = 2026;
const PHONE = { width: 375, height: 740 };
let server: ServerProcess;
let browser: Browser;
let fresh: Awaited<ReturnType<typeof freshServerEnv>>;
let boardUrl = '';
// One signed-in session per person for the whole file: signing in (argon2id) is the slow part.
let convener: Session;
let member: Session;
type Session = Awaited<ReturnType<typeof signInPage>>;
const shots = path.resolve('tests/e2e/artifacts');

beforeAll(async () => {
	fs.mkdirSync(shots, { recursive: true });
	fresh = await freshServerEnv({ SEED: 'demo', ADMIN_PASSWORD });
	server = await startServer(fresh.env);
	browser = await launchBrowser();
});

afterAll(async () => {
	await convener?.context.close();
	await member?.context.close();
	await browser?.close();
	await server?.kill('SIGTERM');
	await fresh?.cleanup();
});

async function noHorizontalScroll(page: Page, what: string) {
	const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
	expect(scroll, `${what} scrolls sideways`).toBeLessThanOrEqual(client + 1);
}

async function saved(page: Page) {
	await expect.poll(() => page.locator('[data-testid=collab-state]').getAttribute('data-state'), { timeout: 10_000 }).toBe('saved');
}

async function openBoard(page: Page, query = '') {
	await page.goto(`${boardUrl}${query}`);
	await saved(page);
}

const needRows = (page: Page) => page.locator('[data-testid=need-row]');
const field = (row: Locator, name: string) => row.locator(`[id$="-${name}"]`).first();
const needTitles = (page: Page) => needRows(page).locator('[id$="-title"]').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));

describe('the needs and resources boards', () => {
	it('two people fill the needs list at once, on a desktop and on a phone', async () => {
		convener = await signInPage(browser, server.http, 'convener', PASSWORD);
		const a = convener.page;
		await a.locator('[data-testid=committee-list] a').first().click();
		await a.waitForURL(/\/committees\/[0-9a-f-]{36}$/);
		boardUrl = `${a.url()}/board/${YEAR}`;
		await openBoard(a);
		expect(await a.locator('[data-testid=board-heading]').textContent()).toContain(`${YEAR} 年三张清单`);
		expect(await a.locator('[data-testid=board-empty]').textContent()).toContain('还没有需求');

		member = await signInPage(browser, server.http, 'parttime', PASSWORD, PHONE);
		const b = member.page;
		await openBoard(b);
		await expect.poll(() => a.locator('[data-testid=presence]').textContent(), { timeout: 10_000 }).toContain('田斌军');

		// Each adds a need; the caret lands in the new card's title; the other sees it arrive.
		await a.click('[data-testid=need-add]');
		await a.keyboard.type('老旧小区加装电梯', { delay: 10 });
		await b.click('[data-testid=need-add]');
		await b.keyboard.type('楼道照明维修', { delay: 10 });
		await expect.poll(() => needRows(a).count(), { timeout: 10_000 }).toBe(2);
		await expect.poll(() => field(needRows(b).nth(0), 'title').inputValue(), { timeout: 10_000 }).toBe('老旧小区加装电梯');
		await expect.poll(() => field(needRows(a).nth(1), 'title').inputValue(), { timeout: 10_000 }).toBe('楼道照明维修');
		expect(await needRows(a).nth(1).textContent()).toContain('田斌军');

		// Both type into the same description at once: both edits survive.
		const descA = field(needRows(a).nth(0), 'description');
		const descB = field(needRows(b).nth(0), 'description');
		await descA.click();
		await a.keyboard.type('三栋楼没有电梯', { delay: 10 });
		await expect.poll(() => descB.inputValue(), { timeout: 10_000 }).toBe('三栋楼没有电梯');
		await descB.click();
		await b.keyboard.press('End');
		await a.keyboard.press('Home');
		// Presence: each sees who is in the card.
		await expect.poll(() => needRows(a).nth(0).locator('[data-testid=card-editing]').textContent(), { timeout: 10_000 }).toContain('田斌军');
		await Promise.all([a.keyboard.type('居民反映：', { delay: 25 }), b.keyboard.type('（网格员已核实）', { delay: 25 })]);
		const merged = '居民反映：三栋楼没有电梯（网格员已核实）';
		await expect.poll(() => descA.inputValue(), { timeout: 10_000 }).toBe(merged);
		await expect.poll(() => descB.inputValue(), { timeout: 10_000 }).toBe(merged);

		// Choices, order and archiving travel too.
		await field(needRows(a).nth(0), 'category').selectOption('infrastructure');
		await field(needRows(a).nth(0), 'priority').selectOption('high');
		await expect.poll(() => field(needRows(b).nth(0), 'category').inputValue(), { timeout: 10_000 }).toBe('infrastructure');
		await field(needRows(b).nth(0), 'place').fill('滨江花园小区');
		// Reordering works from the keyboard.
		await needRows(a).nth(1).locator('[id$="-up"]').focus();
		await a.keyboard.press('Enter');
		await expect.poll(() => field(needRows(b).nth(0), 'title').inputValue(), { timeout: 10_000 }).toBe('楼道照明维修');
		// The moved card keeps the keyboard focus.
		expect(await a.evaluate(() => document.activeElement?.id ?? '')).toMatch(/-down$/);
		await a.click('[data-testid=need-add]');
		await a.keyboard.type('重复登记的需求', { delay: 5 });
		await expect.poll(() => needRows(b).count(), { timeout: 10_000 }).toBe(3);
		await needRows(a).nth(2).locator('[data-testid=card-archive]').click();
		await expect.poll(() => needRows(b).count(), { timeout: 10_000 }).toBe(2);

		// Filters on the phone: text search, then archived cards shown again.
		await b.fill('[data-testid=filter-search]', '电梯');
		await expect.poll(() => needRows(b).count()).toBe(1);
		await b.fill('[data-testid=filter-search]', '');
		await b.check('[data-testid=filter-archived]');
		await expect.poll(() => needRows(b).count()).toBe(3);
		expect(await needRows(b).nth(2).textContent()).toContain('已归档');
		await b.uncheck('[data-testid=filter-archived]');

		await saved(a);
		await saved(b);
		await noHorizontalScroll(b, 'needs table at 375 px');
		await b.screenshot({ path: path.join(shots, 'board-needs-table-375.png'), fullPage: true });
		await a.screenshot({ path: path.join(shots, 'board-needs-table-desktop.png'), fullPage: true });
		await b.click('[data-testid=board-view-cards]');
		await expect.poll(() => b.locator('[data-testid=need-card]').count()).toBe(2);
		expect(await b.locator('section[data-category=infrastructure] [data-testid=need-card]').count()).toBe(1);
		await noHorizontalScroll(b, 'needs cards at 375 px');
		await b.screenshot({ path: path.join(shots, 'board-needs-cards-375.png'), fullPage: true });
	});

	it('a part-time member adds resources only for their own unit; other units’ cards are read-only', async () => {
		const b = member.page;
		await openBoard(b, '?tab=resources');
		const unitB = b.locator('[data-testid=resource-add-unit]');
		expect(await unitB.isDisabled()).toBe(true);
		expect(await unitB.locator('option').count()).toBe(1);
		const ownUnit = await unitB.inputValue();
		await b.click('[data-testid=resource-add]');
		await b.keyboard.type('法律咨询服务', { delay: 10 });
		const ownRow = b.locator('[data-testid=resource-row]').first();
		await field(ownRow, 'quantity').fill('每月 20 个志愿服务时');
		await field(ownRow, 'type').selectOption('expertise');
		// The unit of one's own resource is fixed too.
		expect(await field(ownRow, 'unitId').isDisabled()).toBe(true);

		const a = convener.page;
		await openBoard(a, '?tab=resources');
		const unitA = a.locator('[data-testid=resource-add-unit]');
		expect(await unitA.isDisabled()).toBe(false);
		const others = (await unitA.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).filter((v) => v !== ownUnit);
		expect(others.length).toBeGreaterThan(0);
		await unitA.selectOption(others[0]!);
		await a.click('[data-testid=resource-add]');
		await a.keyboard.type('党员志愿服务队', { delay: 10 });
		await expect.poll(() => field(a.locator('[data-testid=resource-row]').first(), 'title').inputValue(), { timeout: 10_000 }).toBe('法律咨询服务');

		// On the phone the other unit's card arrives read-only: no field can be changed.
		const foreign = b.locator('[data-testid=resource-row][data-readonly=true]');
		await expect.poll(() => foreign.count(), { timeout: 10_000 }).toBe(1);
		await expect.poll(() => field(foreign, 'title').inputValue(), { timeout: 10_000 }).toBe('党员志愿服务队');
		for (const name of ['title', 'description', 'quantity', 'availability', 'contact']) expect(await field(foreign, name).getAttribute('readonly'), name).not.toBeNull();
		for (const name of ['unitId', 'type', 'status']) expect(await field(foreign, name).isDisabled(), name).toBe(true);
		// Only the comment toggle: commenting is open to those who cannot edit.
		expect(await foreign.locator('button:not([data-testid=card-comments-toggle])').count()).toBe(0);
		expect(await foreign.textContent()).toContain('其他单位的资源');
		// Typing into it changes nothing, and the connection stays healthy.
		await field(foreign, 'title').click();
		await b.keyboard.type('改');
		expect(await field(foreign, 'title').inputValue()).toBe('党员志愿服务队');
		expect(await b.locator('[data-testid=collab-refusal]').count()).toBe(0);
		expect(await field(ownRow, 'title').getAttribute('readonly')).toBeNull();

		await saved(a);
		await saved(b);
		await noHorizontalScroll(b, 'resources table at 375 px');
		await b.screenshot({ path: path.join(shots, 'board-resources-table-375.png'), fullPage: true });
		await b.click('[data-testid=board-view-cards]');
		await expect.poll(() => b.locator('[data-testid=resource-card]').count()).toBe(2);
		expect(await b.locator('section[data-type=expertise] [data-testid=resource-card]').count()).toBe(1);
		await noHorizontalScroll(b, 'resources cards at 375 px');
		await b.screenshot({ path: path.join(shots, 'board-resources-cards-375.png'), fullPage: true });
		await a.click('[data-testid=board-view-cards]');
		await a.screenshot({ path: path.join(shots, 'board-resources-cards-desktop.png'), fullPage: true });
	});

	it('an observer reads everything and can change nothing; a reload keeps everything', async () => {
		const observer = await signInPage(browser, server.http, 'observer', PASSWORD, PHONE);
		const o = observer.page;
		await openBoard(o);
		await expect.poll(() => o.locator('[data-testid=board-readonly]').count(), { timeout: 10_000 }).toBe(1);
		await expect.poll(() => needRows(o).count(), { timeout: 10_000 }).toBe(2);
		expect(await o.locator('[data-testid=need-add]').count()).toBe(0);
		expect(await o.locator('[data-testid=need-row] button:not([data-testid=card-comments-toggle])').count()).toBe(0);
		expect(await field(needRows(o).nth(1), 'description').inputValue()).toBe('居民反映：三栋楼没有电梯（网格员已核实）');
		expect(await field(needRows(o).nth(1), 'description').getAttribute('readonly')).not.toBeNull();
		expect(await field(needRows(o).nth(1), 'category').isDisabled()).toBe(true);
		await noHorizontalScroll(o, 'observer needs table');
		await o.click('[data-testid=board-tab-resources]');
		await expect.poll(() => o.locator('[data-testid=resource-row]').count()).toBe(2);
		expect(await o.locator('[data-testid=resource-add]').count()).toBe(0);
		expect(await o.locator('[data-testid=resource-row][data-readonly=false]').count()).toBe(0);
		// The tab is in the URL: a reload opens the same list, with everything still there.
		await o.reload();
		await saved(o);
		expect(await o.locator('[data-testid=board-panel]').getAttribute('data-tab')).toBe('resources');
		await expect.poll(() => field(o.locator('[data-testid=resource-row]').first(), 'quantity').inputValue(), { timeout: 10_000 }).toBe('每月 20 个志愿服务时');
		await o.click('[data-testid=board-tab-needs]');
		expect(await field(needRows(o).nth(0), 'title').inputValue()).toBe('楼道照明维修');
		expect(await field(needRows(o).nth(1), 'place').inputValue()).toBe('滨江花园小区');
		expect(await field(needRows(o).nth(1), 'priority').inputValue()).toBe('high');
		await observer.context.close();
	});

	it('the district edits its need categories; the boards offer them at once and keep archived ones readable', async () => {
		const admin = await signInPage(browser, server.http, 'admin', ADMIN_PASSWORD, PHONE);
		const d = admin.page;
		await d.goto(`${server.http}/admin/categories`);
		await d.locator('body[data-hydrated]').waitFor();
		expect(await d.locator('[data-testid=category-list] li').count()).toBe(6);
		await d.fill('#category-zh', '为老服务');
		await d.fill('#category-en', 'Elderly care');
		await d.click('form[action="?/add"] button[type=submit]');
		await expect.poll(() => d.locator('[data-testid=category-list] li').count(), { timeout: 10_000 }).toBe(7);
		// A duplicate name is refused under its field, and nothing is added.
		await d.fill('#category-zh', '基础设施');
		await d.click('form[action="?/add"] button[type=submit]');
		await expect.poll(() => d.locator('#category-zh-error').textContent(), { timeout: 10_000 }).toContain('已有名为“基础设施”的类别');
		expect(await d.locator('[data-testid=category-list] li').count()).toBe(7);
		// The new one sits before 其他; archive 文体活动 (no need uses it here).
		expect(await d.locator('[data-testid=category-list] li').nth(5).textContent()).toContain('为老服务');
		await d.locator('[data-testid=category-list] li[data-key=culture_sports] form[action="?/archive"] button').click();
		await expect.poll(() => d.locator('[data-testid=category-list] li[data-key=culture_sports]').textContent(), { timeout: 10_000 }).toContain('已停用');
		expect(await d.locator('[data-testid=category-list] li[data-key=other] form[action="?/archive"]').count()).toBe(0);
		await noHorizontalScroll(d, 'need categories at 375 px');
		await d.screenshot({ path: path.join(shots, 'admin-categories-375.png'), fullPage: true });
		await admin.context.close();

		const a = convener.page;
		await openBoard(a);
		const choices = await field(needRows(a).nth(0), 'category').locator('option').allTextContents();
		expect(choices).toContain('为老服务');
		expect(choices).not.toContain('文体活动');
		await field(needRows(a).nth(0), 'category').selectOption({ label: '为老服务' });
		await a.click('[data-testid=board-view-cards]');
		await expect.poll(() => a.locator('section.column h3').allTextContents(), { timeout: 10_000 }).toEqual(
			expect.arrayContaining([expect.stringContaining('为老服务')])
		);
		expect((await a.locator('section.column h3').allTextContents()).some((h) => h.includes('文体活动'))).toBe(false);
		await a.click('[data-testid=board-view-table]');
	});

	it('a member who comes back sees what changed on the lists since the last visit, marked on the cards', async () => {
		const m = await signInPage(browser, server.http, 'member', PASSWORD, PHONE);
		const page = m.page;
		// The first visit is the starting point: nothing to report yet.
		const firstLook = page.waitForResponse((r) => r.url().endsWith('/changes') && r.request().method() === 'GET');
		await openBoard(page);
		await firstLook;
		expect(await page.locator('[data-testid=board-changes]').count()).toBe(0);

		// Meanwhile the convener adds a need.
		const a = convener.page;
		await openBoard(a);
		await a.click('[data-testid=need-add]');
		await a.keyboard.type('社区图书角', { delay: 10 });
		await saved(a);

		await openBoard(page);
		const banner = page.locator('[data-testid=board-changes]');
		await expect.poll(() => banner.textContent(), { timeout: 15_000 }).toContain('以来清单有 1 处变动');
		const rows = page.locator('[data-testid=need-row]');
		const titles = await rows.locator('[id$="-title"]').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
		const added = rows.nth(titles.indexOf('社区图书角'));
		expect(await added.locator('[data-testid=card-changed]').textContent()).toBe('有更新');
		expect(await page.locator('[data-testid=card-changed]').count()).toBe(1);
		await banner.locator('[data-testid=board-changes-show]').click();
		expect(await banner.textContent()).toContain('社区图书角');
		await noHorizontalScroll(page, 'board changes at 375 px');
		await banner.locator('[data-testid=board-changes-seen]').click();
		await expect.poll(() => page.locator('[data-testid=board-changes]').count()).toBe(0);
		expect(await page.locator('[data-testid=card-changed]').count()).toBe(0);
		await m.context.close();
	});

	it('the convener saves a version of the lists, and restores it after a change, from the version history', async () => {
		const a = convener.page;
		await openBoard(a);
		await a.click('[data-testid=need-add]');
		await a.keyboard.type('年初确定的需求', { delay: 10 });
		await saved(a);
		await a.click('[data-testid=board-history-link]');
		await a.waitForURL(/\/versions$/);
		await a.locator('body[data-hydrated]').waitFor();
		await a.fill('input[name=label]', '年初清单');
		await a.click('[data-testid=version-save-here]');
		await expect.poll(() => a.locator('[role=status]').first().textContent()).toContain('已保存版本');
		await expect.poll(() => a.locator('[data-testid=version-row]', { hasText: '年初清单' }).count()).toBe(1);

		await openBoard(a);
		await a.click('[data-testid=need-add]');
		await a.keyboard.type('临时加的需求', { delay: 10 });
		await saved(a);
		expect(await needTitles(a)).toContain('临时加的需求');

		await a.goto(`${boardUrl}/versions`);
		await a.locator('body[data-hydrated]').waitFor();
		const row = a.locator('[data-testid=version-row]', { hasText: '年初清单' });
		await row.locator('[data-testid=version-restore]').click();
		await row.locator('[data-testid=version-restore-confirm]').click();
		await expect.poll(() => a.locator('[data-testid=version-restored]').count()).toBe(1);
		await noHorizontalScroll(a, 'board version history');

		// The card added since is archived, not lost.
		await openBoard(a);
		await expect.poll(() => needTitles(a), { timeout: 10_000 }).not.toContain('临时加的需求');
		expect(await needTitles(a)).toContain('年初确定的需求');
		await a.check('[data-testid=filter-archived]');
		await expect.poll(() => needTitles(a)).toContain('临时加的需求');
		await a.uncheck('[data-testid=filter-archived]');
	});

	it('refuses a committee the person may not see and a year out of range', async () => {
		const outsider = await signInPage(browser, server.http, 's1.convener', PASSWORD);
		expect((await outsider.page.goto(boardUrl))?.status()).toBe(404);
		await outsider.context.close();
		const base = boardUrl.replace(/\/\d{4}$/, '');
		for (const year of ['1999', '2101', '20x6', '02026']) expect((await convener.page.goto(`${base}/${year}`))?.status(), year).toBe(404);
		// The year switcher leads to the neighbouring years' own (empty) lists.
		await convener.page.goto(boardUrl);
		await convener.page.click(`[data-testid=board-years] a[href*="/board/${YEAR + 1}"]`);
		await convener.page.waitForURL(new RegExp(`/board/${YEAR + 1}`));
		await saved(convener.page);
		expect(await convener.page.locator('[data-testid=board-empty]').count()).toBe(1);
	});
});
