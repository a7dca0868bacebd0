import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, signInPage } from '../helpers/browser';
import { freshServerEnv } from '../helpers/serverEnv';
import { apiGet, apiToken, startServer, type ServerProcess } from '../helpers/serverProcess';

const PASSWORD = 'demo-password';
const PHONE = { width: 375, height: 740 };
const YEAR = new Date(Date.now() + 8 * 3600_000).getUTCFullYear();
const shots = path.resolve('tests/e2e/artifacts');

let server: ServerProcess;
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

async function post(pathname: string, token: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
	const res = await fetch(`${server.http}${pathname}`, {
		method: 'POST',
		headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
		body: JSON.stringify(body)
	});
	return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const unreadInHeader = async (page: Page): Promise<number> => {
	const badge = page.getByTestId('nav-unread');
	return (await badge.count()) === 0 ? 0 : Number(await badge.textContent());
};

describe('the inbox', () => {
	it('a member is asked to confirm minutes in review: the header counts it, the inbox lists it at 375 px, opening it marks it read', async () => {
		const convener = await apiToken(server.http, 'convener', PASSWORD);
		const committees = await apiGet<{ items: { id: string; kind: string; role: string | null }[] }>(server.http, convener, '/api/v1/committees');
		const committee = committees.items.find((c) => c.kind === 'community' && c.role === 'convener');
		expect(committee).toBeDefined();
		const created = await post(`/api/v1/committees/${committee!.id}/meetings`, convener, { title: '通知测试专题会', kind: 'special', startsAt: `${YEAR}-01-06T09:30:00+08:00` });
		expect(created.status, JSON.stringify(created.json)).toBe(201);
		const meetingId = created.json.id as string;
		const other = await post(`/api/v1/committees/${committee!.id}/meetings`, convener, { title: '第二个专题会', kind: 'special', startsAt: `${YEAR}-01-07T09:30:00+08:00` });
		expect(other.status, JSON.stringify(other.json)).toBe(201);

		const member = await signInPage(browser, server.http, 'parttime', PASSWORD, PHONE);
		const m = member.page;
		const before = await unreadInHeader(m);
		for (const id of [meetingId, other.json.id as string]) {
			for (const transition of ['start', 'review'] as const) expect((await post(`/api/v1/meetings/${id}/transitions`, convener, { transition })).status).toBe(200);
		}

		await m.goto(`${server.http}/inbox`);
		await m.waitForSelector('body[data-hydrated]');
		expect(await unreadInHeader(m)).toBe(before + 2);
		const item = m.getByTestId('inbox-item').filter({ hasText: '通知测试专题会' });
		await expect.poll(() => item.count()).toBe(1);
		expect(await item.getAttribute('data-kind')).toBe('review');
		expect(await item.getAttribute('data-read')).toBe('false');
		expect(await item.textContent()).toContain('会议「通知测试专题会」的纪要已进入审阅，请阅读并确认');
		await noHorizontalScroll(m, 'inbox');
		await m.screenshot({ path: path.join(shots, 'inbox-375.png'), fullPage: true });

		await Promise.all([m.waitForURL((url) => url.pathname === `/meetings/${meetingId}`), item.locator('a').click()]);
		await m.waitForSelector('body[data-hydrated]');
		expect(await unreadInHeader(m)).toBe(before + 1);

		await m.goto(`${server.http}/inbox`);
		await m.waitForSelector('body[data-hydrated]');
		expect(await m.getByTestId('inbox-item').filter({ hasText: '通知测试专题会' }).getAttribute('data-read')).toBe('true');
		await m.getByTestId('inbox-read-all').click();
		await expect.poll(() => unreadInHeader(m)).toBe(0);
		expect(await m.locator('[data-testid=inbox-item][data-read=false]').count()).toBe(0);
		await expect.poll(() => m.getByTestId('inbox-read-all').count()).toBe(0);
		await member.context.close();
	});

	it('someone with no notifications sees the empty state; email settings are kept from the account page at 375 px', async () => {
		const person = await signInPage(browser, server.http, 'observer', PASSWORD, PHONE);
		const p = person.page;
		await p.goto(`${server.http}/inbox`);
		await p.waitForSelector('body[data-hydrated]');
		if ((await p.getByTestId('inbox-item').count()) === 0) expect(await p.getByTestId('inbox-empty').textContent()).toContain('暂无通知');

		await p.goto(`${server.http}/account`);
		await p.waitForSelector('body[data-hydrated]');
		await p.fill('#email', 'observer@jiedao.gov.cn');
		await p.check('input[name=mode][value=daily]');
		await p.locator('form[action="?/email"] button[type=submit]').click();
		await expect.poll(() => p.locator('.notice').textContent()).toContain('邮件通知设置已保存');
		await noHorizontalScroll(p, 'account');
		await p.reload();
		await p.waitForSelector('body[data-hydrated]');
		expect(await p.inputValue('#email')).toBe('observer@jiedao.gov.cn');
		expect(await p.isChecked('input[name=mode][value=daily]')).toBe(true);
		await person.context.close();
	});
});
