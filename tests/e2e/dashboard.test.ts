import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, signInPage } from '../helpers/browser';
import { freshServerEnv } from '../helpers/serverEnv';
import { apiGet, apiToken, startServer, type ServerProcess } from '../helpers/serverProcess';

/*
 * The supervision dashboards on the demo data (three committees with tracked items): the
 * convener's dashboard and the status chip in the minutes follow a status change made
 * elsewhere without a reload; tables export to .xlsx; the district sees every committee.
 */

const PASSWORD = 'demo-password';
const ADMIN_PASSWORD = 'admin-password-1';
const PHONE = { width: 375, height: 740 };
let server: ServerProcess;
let browser: Browser;
let fresh: Awaited<ReturnType<typeof freshServerEnv>>;
const shots = path.resolve('tests/e2e/artifacts');

beforeAll(async () => {
	fs.mkdirSync(shots, { recursive: true });
	fresh = await freshServerEnv({ SEED: 'demo', ADMIN_PASSWORD });
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

const figures = (page: Page) => page.locator('[data-testid=dashboard-figures]').textContent();

describe('supervision dashboards', () => {
	it('a meeting being prepared is offered the overdue item; one click puts it on the agenda and the minutes list it', async () => {
		const token = await apiToken(server.http, 'c03.convener', PASSWORD);
		const { items } = await apiGet<{ items: { id: string }[] }>(server.http, token, '/api/v1/committees');
		const committeeId = items[0]!.id;
		const res = await fetch(`${server.http}/api/v1/committees/${committeeId}/meetings`, {
			method: 'POST',
			headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
			body: JSON.stringify({ title: '十二月例会', kind: 'regular', startsAt: new Date(Date.now() + 7 * 86_400_000).toISOString() })
		});
		expect(res.status).toBe(201);
		const meeting = (await res.json()) as { id: string };

		const convener = await signInPage(browser, server.http, 'c03.convener', PASSWORD, PHONE);
		const a = convener.page;
		// On the committee page the convener lets observers comment on minutes in review.
		await a.goto(`${server.http}/committees/${committeeId}`);
		await a.locator('body[data-hydrated]').waitFor();
		const policy = a.locator('[data-testid=observers-comment]');
		expect(await policy.locator('input[type=checkbox]').isChecked()).toBe(false);
		await policy.locator('input[type=checkbox]').check();
		await policy.locator('button').click();
		await expect.poll(() => policy.locator('[role=status]').textContent()).toContain('设置已保存');
		await a.reload();
		expect(await a.locator('[data-testid=observers-comment] input[type=checkbox]').isChecked()).toBe(true);
		await a.goto(`${server.http}/meetings/${meeting.id}`);
		await expect.poll(() => a.locator('[data-testid=collab-state]').first().getAttribute('data-state'), { timeout: 10_000 }).toBe('saved');
		const offered = a.locator('[data-testid=carry-item]');
		await expect.poll(() => offered.count(), { timeout: 10_000 }).toBeGreaterThan(0);
		const overdue = offered.filter({ hasText: '逾期' }).first();
		const title = (await overdue.locator('a').first().textContent())!.trim();
		await overdue.locator('[data-testid=carry-add]').click();
		await expect.poll(() => overdue.locator('[data-testid=carry-added]').count()).toBe(1);
		const titles = a.locator('li.item input[id$=-title]');
		await expect.poll(() => titles.evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value))).toContain(`督办：${title}`);
		expect(await a.locator('[data-testid=agenda-follow-up] a').first().getAttribute('href')).toMatch(/^\/projects\/[0-9a-f-]{36}$/);
		await noHorizontalScroll(a, 'meeting with carry-over at 375 px');

		// The meeting starts; the minutes are laid out with the item under the follow-up heading.
		await expect.poll(() => a.locator('[data-testid=collab-state]').first().getAttribute('data-state'), { timeout: 10_000 }).toBe('saved');
		const start = await fetch(`${server.http}/api/v1/meetings/${meeting.id}/transitions`, {
			method: 'POST',
			headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
			body: JSON.stringify({ transition: 'start' })
		});
		expect(start.status).toBe(200);
		await a.reload();
		const editor = a.locator('[data-testid=minutes-live] .ProseMirror');
		await expect.poll(() => editor.textContent(), { timeout: 15_000 }).toContain('上次会议决议落实情况');
		expect(await editor.textContent()).toContain(`1. ${title}`);
		await convener.context.close();
	});

	it('the convener’s dashboard and the minutes’ chip change without a reload when an item is marked done', async () => {
		const convener = await signInPage(browser, server.http, 'c02.convener', PASSWORD, PHONE);
		const a = convener.page;
		await a.locator('[data-testid=committee-list] a').first().click();
		await a.waitForURL(/\/committees\/[0-9a-f-]{36}$/);
		await a.click('[data-testid=dashboard-link]');
		await a.waitForURL(/\/dashboard$/);
		await a.locator('body[data-hydrated]').waitFor();
		expect(await figures(a)).toContain('项目 5 项');
		expect(await figures(a)).toContain('逾期 1 项');
		// (How many reports are missing depends on the day of the month; the integration test checks it on a fixed date.)
		expect(await a.locator('[data-testid=chart-status] svg').count()).toBe(1);
		expect(await a.locator('[data-testid=chart-units] svg').count()).toBe(1);
		await noHorizontalScroll(a, 'dashboard at 375 px');
		await a.screenshot({ path: path.join(shots, 'dashboard-375.png'), fullPage: true });

		// The overdue item, and the meeting whose minutes decided it.
		const overdueLink = a.locator('[data-testid=dashboard-overdue] tbody a').first();
		const itemId = (await overdueLink.getAttribute('href'))!.split('/').pop()!;
		const token = await apiToken(server.http, 'c02.convener', PASSWORD);
		const item = await apiGet<{ sourceMeetingId: string; sourceBlockId: string }>(server.http, token, `/api/v1/projects/${itemId}`);

		// The minutes in a second tab show the item overdue.
		const minutes = await convener.context.newPage();
		await minutes.goto(`${server.http}/meetings/${item.sourceMeetingId}`);
		const chip = minutes.locator(`[data-testid=decision-status][href="/projects/${itemId}"]`);
		await expect.poll(() => chip.textContent(), { timeout: 15_000 }).toBe('逾期');

		// Someone marks it done elsewhere (here through the API); neither page is reloaded.
		const res = await fetch(`${server.http}/api/v1/projects/${itemId}/transitions`, {
			method: 'POST',
			headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
			body: JSON.stringify({ change: 'status', status: 'done', reason: '停车场已于本月开放，错时共享已落实。' })
		});
		expect(res.status).toBe(200);
		await expect.poll(() => figures(a), { timeout: 15_000 }).toContain('逾期 0 项');
		expect(await figures(a)).toContain('完成率 40%');
		await expect.poll(() => chip.textContent(), { timeout: 15_000 }).toBe('已完成');
		expect(await a.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(1);

		// A filter narrows the tables and keeps the URL shareable.
		await a.locator('[data-testid=filter-status]').selectOption('done');
		await a.waitForURL(/status=done/);
		await expect.poll(() => figures(a)).toContain('项目 2 项');

		// Each table exports as a workbook.
		await a.goto(`${server.http}${new URL(a.url()).pathname}`);
		const download = a.waitForEvent('download');
		await a.click('[data-testid=export-units]');
		const file = await download;
		expect(file.suggestedFilename()).toMatch(/各单位完成情况\.xlsx$/);
		const bytes = fs.readFileSync((await file.path())!);
		expect([...bytes.subarray(0, 2)]).toEqual([0x50, 0x4b]);

		// The convener sets when monthly reports are due.
		const reportDay = a.locator('[data-testid=report-day]');
		await reportDay.locator('select').selectOption('20');
		await reportDay.locator('button').click();
		await expect.poll(() => reportDay.locator('[role=status]').textContent()).toContain('已改为次月 20 日前报送');
		expect(await reportDay.textContent()).toContain('次月 20 日前');
		await convener.context.close();
	});

	it('the district dashboard lists every committee and is for administrators only', async () => {
		const admin = await signInPage(browser, server.http, 'admin', ADMIN_PASSWORD);
		const d = admin.page;
		await d.goto(`${server.http}/admin/dashboard`);
		await d.locator('body[data-hydrated]').waitFor();
		expect(await figures(d)).toContain('项目 15 项');
		expect(await d.locator('[data-testid=dashboard-committees] tbody tr').count()).toBe(3);
		expect(await d.locator('[data-testid=dashboard-units] tbody tr').count()).toBeGreaterThan(3);
		await d.screenshot({ path: path.join(shots, 'dashboard-district.png'), fullPage: true });
		await admin.context.close();

		const member = await signInPage(browser, server.http, 'member', PASSWORD);
		expect((await member.page.goto(`${server.http}/admin/dashboard`))?.status()).toBe(403);
		// A member sees their committee's dashboard but does not set the report day.
		await member.page.goto(server.http);
		await member.page.locator('[data-testid=committee-list] a').first().click();
		await member.page.click('[data-testid=dashboard-link]');
		await member.page.waitForURL(/\/dashboard$/);
		expect(await member.page.locator('[data-testid=dashboard-figures]').count()).toBe(1);
		expect(await member.page.locator('[data-testid=report-day]').count()).toBe(0);
		// A committee one does not belong to has no dashboard for them.
		const other = await apiGet<{ items: { id: string }[] }>(server.http, await apiToken(server.http, 'c02.convener', PASSWORD), '/api/v1/committees');
		expect((await member.page.goto(`${server.http}/committees/${other.items[0]!.id}/dashboard`))?.status()).toBe(404);
		await member.context.close();
	});
});
