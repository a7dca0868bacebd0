import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideFor } from '../helpers/decision';
import { launchBrowser, signInPage } from '../helpers/browser';
import { freshServerEnv } from '../helpers/serverEnv';
import { apiGet, apiToken, startServer, type ServerProcess } from '../helpers/serverProcess';

const PASSWORD = 'demo-password';
const PHONE = { width: 375, height: 740 };
const YEAR = new Date(Date.now() + 8 * 3600_000).getUTCFullYear();
const DUE = `${YEAR + 1}-06-30`;
// A real 1×1 PNG: the server decides the type by the first bytes.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const shots = path.resolve('tests/e2e/artifacts');

let server: ServerProcess;
let committeeId = '';
let convenerToken = '';
let parttimeUnit = '';
let browser: Browser;
let fresh: Awaited<ReturnType<typeof freshServerEnv>>;

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



describe('monthly progress reports on a tracked item', () => {
	it('a unit contact reports from a phone with a photo; the convener sees it and changes the status; outsiders see nothing', async () => {
		convenerToken = await apiToken(server.http, 'convener', PASSWORD);
		const committees = await apiGet<{ items: { id: string; kind: string; role: string | null }[] }>(server.http, convenerToken, '/api/v1/committees');
		const committee = committees.items.find((c) => c.kind === 'community' && c.role === 'convener');
		expect(committee).toBeDefined();

		// The part-time member signs in on a phone; their name finds their unit in the committee.
		const unit = await signInPage(browser, server.http, 'parttime', PASSWORD, PHONE);
		const u = unit.page;
		const myName = (await u.locator('header nav a[href="/account"]').textContent())!.trim();
		const meetings = await apiGet<{ items: { id: string }[] }>(server.http, convenerToken, `/api/v1/committees/${committee!.id}/meetings`);
		const seats = await apiGet<{ entries: { displayName: string; role: string; unitId: string | null }[] }>(server.http, convenerToken, `/api/v1/meetings/${meetings.items[0]!.id}/attendance`);
		const seat = seats.entries.find((e) => e.displayName === myName && e.role === 'part_time');
		expect(seat?.unitId, `seat of ${myName}`).toBeTruthy();
		committeeId = committee!.id;
		parttimeUnit = seat!.unitId!;

		const meetingId = await decideFor(server, convenerToken, { committeeId: committee!.id, unitId: seat!.unitId!, title: '项目督办专题会', text: '为辖区独居老人开展每周一次助餐送餐服务', startsAt: `${YEAR}-01-05T09:30:00+08:00`, dueDate: DUE });

		// My items: the new item, due this period, with a link straight to the form.
		await u.goto(`${server.http}/my/items`);
		await u.waitForSelector('body[data-hydrated]');
		const mine = u.locator('[data-testid=my-item]');
		await expect.poll(() => mine.count()).toBe(1);
		expect(await mine.textContent()).toContain('为辖区独居老人开展每周一次助餐送餐服务');
		expect(await mine.getAttribute('data-state')).toBe('due');
		expect(await mine.locator('[data-testid=my-item-state]').textContent()).toContain('待报送');
		await noHorizontalScroll(u, 'my items at 375 px');
		await u.screenshot({ path: path.join(shots, 'my-items-375.png'), fullPage: true });

		await mine.locator('[data-testid=my-item-report]').click();
		await u.waitForURL(/\/projects\/[0-9a-f-]{36}\?month=\d{4}-\d{2}#report$/);
		await u.waitForSelector('body[data-hydrated]');
		const itemUrl = u.url().split('?')[0]!;
		const form = u.locator('[data-testid=report-form]');
		expect(await form.locator('[data-testid=report-limits]').textContent()).toContain('最多 5 个，每个不超过 5 MB');
		await noHorizontalScroll(u, 'item page with the report form at 375 px');

		// Nothing written is refused with the message under the field, and nothing is stored.
		await form.locator('[data-testid=report-submit]').click();
		await expect.poll(() => u.locator('#rp-done-error').textContent()).toContain('请填写本月完成情况');
		expect(await u.locator('[data-testid=report-entry][data-filed=true]').count()).toBe(0);

		await form.locator('[data-testid=report-done]').fill('本月已完成 12 户独居老人的入户走访，确定送餐名单。');
		await form.locator('[data-testid=report-progress]').fill('30');
		await form.locator('[data-testid=report-help]').fill('需协调社区食堂提供午餐');
		await form.locator('[data-testid=report-files]').setInputFiles({ name: '入户走访照片.png', mimeType: 'image/png', buffer: PNG });
		expect(await form.textContent()).toContain('入户走访照片.png');
		await form.locator('[data-testid=report-submit]').click();
		await expect.poll(() => u.locator('[data-testid=report-form-section] .notice').textContent(), { timeout: 15_000 }).toContain('的进展已报送');

		// Listed under its month, with the attachment, and the item moved on.
		const filed = u.locator('[data-testid=report-entry][data-filed=true]');
		await expect.poll(() => filed.count()).toBe(1);
		expect(await filed.textContent()).toContain('本月已完成 12 户独居老人的入户走访');
		expect(await filed.locator('[data-testid=report-help-needed]').textContent()).toContain('需协调社区食堂提供午餐');
		const link = filed.locator('[data-testid=report-attachment]');
		expect(await link.textContent()).toBe('入户走访照片.png');
		expect(await u.locator('[data-testid=project-status]').first().textContent()).toContain('进行中');
		expect(await u.locator('[data-testid=project-progress]').getAttribute('aria-valuenow')).toBe('30');
		await noHorizontalScroll(u, 'item page after reporting at 375 px');
		await u.screenshot({ path: path.join(shots, 'project-report-375.png'), fullPage: true });

		// The attachment downloads for members, with its real name and type.
		const href = (await link.getAttribute('href'))!;
		const got = await unit.context.request.get(`${server.http}${href}`);
		expect(got.status()).toBe(200);
		expect(got.headers()['content-type']).toBe('image/png');
		expect(got.headers()['content-disposition']).toContain(`filename*=UTF-8''${encodeURIComponent('入户走访照片.png')}`);
		expect(got.headers()['cache-control']).toContain('private');
		expect(Buffer.from(await got.body()).equals(PNG)).toBe(true);

		// Without JavaScript (a page that has not come alive on a weak network) the form still works:
		// a plain multipart post that amends the month's report.
		const bare = await browser.newContext({ storageState: await unit.context.storageState(), javaScriptEnabled: false, viewport: PHONE, locale: 'zh-CN' });
		const b = await bare.newPage();
		await b.goto(itemUrl);
		expect(await b.locator('[data-testid=report-deadline]').textContent()).toContain('本月已报送');
		await b.locator('[data-testid=report-progress]').fill('40');
		await b.locator('[data-testid=report-submit]').click();
		await b.waitForLoadState('load');
		expect(await b.locator('[data-testid=report-form-section] .notice').textContent()).toContain('的进展已报送');
		expect(await b.locator('[data-testid=report-entry][data-filed=true]').textContent()).toContain('进度 40%');
		// The amendment kept the text and the photo it did not touch.
		expect(await b.locator('[data-testid=report-entry][data-filed=true] [data-testid=report-attachment]').count()).toBe(1);
		expect(await b.locator('[data-testid=project-history] [data-action="project.report"]').first().textContent()).toContain('更正');
		await bare.close();

		// "My items" now says filed.
		await u.goto(`${server.http}/my/items`);
		await expect.poll(() => u.locator('[data-testid=my-item]').getAttribute('data-state')).toBe('filed');

		// The convener sees the report in the history and puts the item on hold, with a reason.
		const convener = await signInPage(browser, server.http, 'convener', PASSWORD);
		const c = convener.page;
		await c.goto(`${server.http}/meetings/${meetingId}`);
		const itemLink = c.locator('[data-testid=project-items] a').first();
		expect(await itemLink.getAttribute('href')).toBe(new URL(itemUrl).pathname);
		await c.goto(itemUrl);
		await c.waitForSelector('body[data-hydrated]');
		const history = c.locator('[data-testid=project-history]');
		expect(await history.locator('[data-action="project.report"]').count()).toBe(2);
		expect(await history.locator('[data-action="project.report"]').last().textContent()).toContain('报送');
		expect(await history.locator('[data-action="project.report"]').last().textContent()).toContain('30%');
		expect(await history.locator('[data-action="project.created"]').count()).toBe(1);

		const status = c.locator('[data-testid=status-form]');
		await c.locator('[data-testid=project-manage] summary').first().click();
		await status.locator('select[name=status]').selectOption('on_hold');
		await status.locator('[data-testid=status-submit]').click();
		await expect.poll(() => c.locator('#st-reason-error').textContent()).toContain('搁置项目须说明原因');
		expect(await c.locator('[data-testid=project-status]').first().getAttribute('data-status')).toBe('in_progress');
		await status.locator('textarea[name=reason]').fill('社区食堂装修，暂停至装修完成');
		await status.locator('[data-testid=status-submit]').click();
		await expect.poll(() => c.locator('[data-testid=project-status]').first().getAttribute('data-status'), { timeout: 10_000 }).toBe('on_hold');
		expect(await c.locator('[data-testid=project-hold-reason]').textContent()).toContain('社区食堂装修');
		const change = history.locator('[data-action="project.status"]').first();
		await expect.poll(() => change.textContent()).toContain('状态由“进行中”改为“搁置”');
		expect(await change.textContent()).toContain('理由：社区食堂装修，暂停至装修完成');
		await c.screenshot({ path: path.join(shots, 'project-convener-desktop.png'), fullPage: true });

		// The unit's open page follows without a reload.
		await u.goto(itemUrl);
		await expect.poll(() => u.locator('[data-testid=project-status]').first().getAttribute('data-status'), { timeout: 10_000 }).toBe('on_hold');

		// "Open in minutes" lands on the decision block once the minutes have loaded.
		await c.locator('[data-testid=project-origin-link]').click();
		await c.waitForURL(/\/meetings\/[0-9a-f-]{36}#decision-[0-9a-f-]{36}$/);
		const blockId = c.url().split('#decision-')[1]!;
		const block = c.locator(`#decision-${blockId}`);
		await block.waitFor({ timeout: 15_000 });
		await expect
			.poll(
				() =>
					block.evaluate((el) => {
						const r = el.getBoundingClientRect();
						return r.bottom > 0 && r.top < window.innerHeight;
					}),
				{ timeout: 10_000 }
			)
			.toBe(true);

		// An observer reads the item but gets neither the report form nor the changes.
		const observer = await signInPage(browser, server.http, 'observer', PASSWORD, PHONE);
		await observer.page.goto(itemUrl);
		await observer.page.waitForSelector('[data-testid=project-item]');
		expect(await observer.page.locator('[data-testid=report-form]').count()).toBe(0);
		expect(await observer.page.locator('[data-testid=project-manage]').count()).toBe(0);
		expect(await observer.page.locator('[data-testid=report-entry][data-filed=true]').count()).toBe(1);
		expect((await observer.context.request.get(`${server.http}${href}`)).status()).toBe(200);
		// …and has nothing to report: "my items" says so, reached from the top navigation.
		await observer.page.click('[data-testid=nav-my-items]');
		await observer.page.waitForURL(/\/my\/items$/);
		expect(await observer.page.locator('[data-testid=my-items-empty]').textContent()).toContain('没有需要报送进展的项目');
		await noHorizontalScroll(observer.page, 'empty my items at 375 px');

		// Someone from another committee learns nothing: the item and the file are 404.
		const outsider = await signInPage(browser, server.http, 's1.convener', PASSWORD);
		expect((await outsider.context.request.get(`${server.http}${href}`)).status()).toBe(404);
		expect((await outsider.context.request.get(itemUrl)).status()).toBe(404);

		await Promise.all([unit.context.close(), convener.context.close(), observer.context.close(), outsider.context.close()]);
	});

	it('another member unit claims the item from a phone; the convener refuses a rejection without reason, then confirms', async () => {
		expect(committeeId, 'the first test set up the committee').not.toBe('');
		const meetingId = await decideFor(server, convenerToken, { committeeId: committeeId, unitId: parttimeUnit, title: '项目督办专题会', text: '为辖区独居老人开展每周一次助餐送餐服务', startsAt: `${YEAR}-01-05T09:30:00+08:00`, dueDate: DUE });
		const convener = await signInPage(browser, server.http, 'convener', PASSWORD);
		const c = convener.page;
		await c.goto(`${server.http}/meetings/${meetingId}`);
		const itemUrl = `${server.http}${await c.locator('[data-testid=project-items] a').first().getAttribute('href')}`;

		// u011.deputy represents another unit of the same community (the seed pairs units round robin).
		const other = await signInPage(browser, server.http, 'u011.deputy', PASSWORD, PHONE);
		const o = other.page;
		await o.goto(itemUrl);
		await o.waitForSelector('body[data-hydrated]');
		expect(await o.locator('[data-testid=report-form]').count()).toBe(0);
		const claim = o.locator('[data-testid=claim-form]');
		await claim.locator('input[name=personName]').fill('王建国');
		await claim.locator('textarea[name=note]').fill('我单位食堂可承担每周送餐');
		await claim.locator('[data-testid=claim-submit]').click();
		await expect.poll(() => o.locator('[data-testid=claims] .notice').textContent()).toContain('认领申请已提交');
		expect(await o.locator('[data-testid=claim-form]').count()).toBe(0);
		expect(await o.locator('[data-testid=claim-pending]').textContent()).toContain('等待召集人确认');
		await noHorizontalScroll(o, 'claims at 375 px');

		await c.goto(itemUrl);
		await c.waitForSelector('body[data-hydrated]');
		const pendingClaim = c.locator('[data-testid=claim-pending]');
		expect(await pendingClaim.textContent()).toContain('王建国');
		await pendingClaim.locator('[data-testid=claim-reject]').click();
		await expect.poll(() => pendingClaim.locator('.error').textContent()).toContain('请填写修改理由');
		await pendingClaim.locator('[data-testid=claim-confirm]').click();
		await expect.poll(() => c.locator('[data-testid=claim-decided]').getAttribute('data-status'), { timeout: 10_000 }).toBe('confirmed');
		await expect.poll(() => c.locator('[data-testid=project-units] li').count()).toBe(2);
		expect(await c.locator('[data-testid=project-units]').textContent()).toContain('责任人：王建国');
		expect(await c.locator('[data-testid=project-history] [data-action="project.claim"]').count()).toBe(2);

		// The convener's forms, all open, fit a phone too.
		await c.setViewportSize(PHONE);
		await c.locator('[data-testid=project-manage] details').evaluateAll((els) => els.forEach((el) => ((el as HTMLDetailsElement).open = true)));
		await noHorizontalScroll(c, 'convener forms at 375 px');
		await c.screenshot({ path: path.join(shots, 'project-convener-375.png'), fullPage: true });

		// The claiming unit now reports on it.
		await o.goto(`${server.http}/my/items`);
		await expect.poll(() => o.locator('[data-testid=my-item]').count()).toBe(1);
		await o.goto(itemUrl);
		expect(await o.locator('[data-testid=report-form]').count()).toBe(1);

		await Promise.all([convener.context.close(), other.context.close()]);
	});
});
