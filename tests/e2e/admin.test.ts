import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { launchBrowser, signInPage } from '../helpers/browser';
import { startServer, type ServerProcess } from '../helpers/serverProcess';

/*
 * The organisation department sets up a district from nothing in a real browser against the
 * production server: streets, communities, a committee, units (one by one and from a CSV with
 * a mistake in it), an account, and a part-time member seated on behalf of a unit.
 */

const ADMIN_PASSWORD = 'admin-password-1';
let server: ServerProcess;
let browser: Browser;
let tmp: string | null = null;
let pgDatabase: TestDatabase | null = null;
const shots = path.resolve('tests/e2e/artifacts');

beforeAll(async () => {
	fs.mkdirSync(shots, { recursive: true });
	let env;
	if (process.env.DATABASE_URL) {
		pgDatabase = await createTestDatabase();
		await pgDatabase.close();
		env = { DATABASE_URL: pgDatabase.url!, SEED: 'none', ADMIN_PASSWORD };
	} else {
		tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gj-e2e-admin-'));
		env = { DATA_DIR: tmp, SEED: 'none', ADMIN_PASSWORD };
	}
	server = await startServer(env);
	browser = await launchBrowser();
});

afterAll(async () => {
	await browser?.close();
	await server?.kill('SIGTERM');
	if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
	if (pgDatabase) {
		const { default: pg } = await import('pg');
		const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
		await admin.connect();
		await admin.query(`drop database if exists ${new URL(pgDatabase.url!).pathname.slice(1)} with (force)`);
		await admin.end();
	}
});

async function noHorizontalScroll(page: Page) {
	const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
	expect(scroll, `${page.url()} scrolls sideways`).toBeLessThanOrEqual(client + 1);
}

const text = (page: Page, selector: string) => page.locator(selector).first().textContent();

/** Opens a page and waits until its scripts have run, so the forms are enhanced before use. */
async function open(page: Page, pathname: string) {
	const res = await page.goto(`${server.http}${pathname}`, { waitUntil: 'networkidle' });
	expect(res?.status(), pathname).toBe(200);
}

/** A CSV as Excel's "CSV UTF-8" writes it: BOM and CRLF. */
function csvFile(name: string, lines: string[]) {
	return { name, mimeType: 'text/csv', buffer: Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8') };
}

describe('the organisation department sets up a district', () => {
	let committeeUrl = '';

	it('creates the district, a street, a community, a committee and a unit', async () => {
		const { context, page } = await signInPage(browser, server.http, 'admin', ADMIN_PASSWORD);
		// Confirmation dialogs (delete) are accepted.
		page.on('dialog', (dialog) => void dialog.accept());
		await page.click('header a[href="/admin"]');
		await page.waitForURL(/\/admin$/);
		await page.waitForLoadState('networkidle');

		// A fresh install has no district yet.
		await page.fill('#district-name', '青川区');
		await page.click('form[action="?/createDistrict"] button[type=submit]');
		await expect.poll(() => text(page, 'main [role=status]')).toContain('青川区');

		await page.click('nav a[href="/admin/streets"]');
		await page.waitForURL(/\/admin\/streets/);
		// An empty name is refused under the field.
		await page.click('form[action="?/create"] button[type=submit]');
		await expect.poll(() => text(page, '#street-name-error')).toContain('请填写名称');
		expect(await page.getAttribute('#street-name', 'aria-invalid')).toBe('true');
		await page.fill('#street-name', '临江街道');
		await page.click('form[action="?/create"] button[type=submit]');
		await expect.poll(() => text(page, '[data-testid=street-list]')).toContain('临江街道');
		// The create form is empty again for the next one.
		expect(await page.inputValue('#street-name')).toBe('');

		await open(page, '/admin/communities');
		// With one street, it is already chosen.
		await page.fill('#community-name', '滨江社区');
		await page.click('form[action="?/create"] button[type=submit]');
		await expect.poll(() => text(page, '[data-testid=community-list]')).toContain('滨江社区');

		// The street cannot go while a community is under it: the refusal says why.
		await open(page, '/admin/streets');
		await page.locator('[data-testid=street-list] li', { hasText: '临江街道' }).locator('form[action="?/delete"] button').click();
		await expect.poll(() => text(page, '[data-testid=street-list] [role=alert]')).toContain('还有 1 个社区');
		expect(await text(page, '[data-testid=street-list]')).toContain('临江街道');

		await open(page, '/admin/committees');
		await page.selectOption('#committee-target', { label: '滨江社区（临江街道）' });
		await page.click('form[action="?/create"] button[type=submit]');
		await expect.poll(() => text(page, '[data-testid=committee-list]')).toContain('滨江社区大党委');
		// Only the street is left to get a committee.
		const choices = await page.locator('#committee-target option:not([disabled])').allTextContents();
		expect(choices).toEqual(['临江街道']);
		committeeUrl = (await page.locator('[data-testid=committee-list] a', { hasText: '滨江社区大党委' }).first().getAttribute('href')) ?? '';
		expect(committeeUrl).toMatch(/^\/admin\/committees\/[0-9a-f-]{36}$/);

		await open(page, '/admin/units');
		await page.click('[data-testid=unit-add-open]');
		await page.fill('#new-unit-name', '青川区民政局');
		await page.selectOption('#new-unit-kind', 'agency');
		await page.fill('#new-unit-contactName', '王建国');
		await page.fill('#new-unit-contactPhone', '找王主任');
		await page.click('form[action="?/create"] button[type=submit]');
		// A phone number that is not one is refused under its field, and what was typed stays.
		await expect.poll(() => text(page, '#new-unit-contactPhone-error')).toContain('不是有效的电话号码');
		expect(await page.inputValue('#new-unit-name')).toBe('青川区民政局');
		await page.fill('#new-unit-contactPhone', '0838-8860 1001');
		await page.click('form[action="?/create"] button[type=submit]');
		await expect.poll(() => text(page, '[data-testid=unit-table]')).toContain('青川区民政局');
		expect(await text(page, '[data-testid=unit-table]')).toContain('机关');
		await context.close();
	});

	it('imports units from a CSV only once it is clean', async () => {
		const { context, page } = await signInPage(browser, server.http, 'admin', ADMIN_PASSWORD);
		await open(page, '/admin/import');
		const units = page.locator('[data-testid=import-units]');
		const header = '名称,类型,联系人,联系电话';
		await units.locator('input[type=file]').setInputFiles(
			csvFile('units.csv', [header, '青川区实验小学,学校,李丽娟,8860 1002', '青川区人民医院,医馆,张伟,8860 1003', '青川水务集团有限公司,企业,,'])
		);
		await units.locator('form[action="?/preview"] button[type=submit]').click();
		// The bad row is named by its line and column, with the reason.
		const error = units.locator('[data-testid=csv-errors] tr[data-line="3"]');
		await expect.poll(() => error.textContent()).toContain('第 3 行');
		expect(await error.textContent()).toContain('类型');
		expect(await error.textContent()).toContain('未知的单位类型“医馆”');
		expect(await units.locator('[data-testid=import-button]').isDisabled()).toBe(true);
		expect(await units.textContent()).toContain('一行也不会导入');
		// Nothing was written.
		await open(page, '/admin/units');
		expect(await page.locator('[data-testid=unit-table] tbody tr').count()).toBe(1);

		// Fixed in the spreadsheet and uploaded again; one row updates the unit made by hand.
		await open(page, '/admin/import');
		await units.locator('input[type=file]').setInputFiles(
			csvFile('units.csv', [
				header,
				'青川区实验小学,学校,李丽娟,8860 1002',
				'青川区人民医院,医院,张伟,8860 1003',
				'青川水务集团有限公司,企业,,',
				'青川区民政局,机关,王建国,0838-8860 1009'
			])
		);
		await units.locator('form[action="?/preview"] button[type=submit]').click();
		await expect.poll(() => units.locator('[data-testid=preview-rows] tbody tr').count()).toBe(4);
		expect(await units.textContent()).toContain('将新建 3 条，更新 1 条，0 条不变');
		expect(await units.locator('[data-testid=csv-errors]').count()).toBe(0);
		const importButton = units.locator('[data-testid=import-button]');
		expect(await importButton.isDisabled()).toBe(false);
		await importButton.click();
		await expect.poll(() => units.locator('[data-testid=import-done]').textContent()).toContain('新建单位 3 个，更新 1 个');

		await open(page, '/admin/units');
		const table = page.locator('[data-testid=unit-table]');
		await expect.poll(() => table.locator('tbody tr').count()).toBe(4);
		expect(await table.textContent()).toContain('青川区人民医院');
		expect(await table.textContent()).toContain('0838-8860 1009');
		// Filtering by kind and searching both narrow the table.
		await page.selectOption('#filter-kind', 'hospital');
		await page.click('form[role=search] button[type=submit]');
		await page.waitForURL(/kind=hospital/);
		expect(await table.locator('tbody tr').allTextContents()).toEqual([expect.stringContaining('青川区人民医院')]);
		await open(page, `/admin/units?q=${encodeURIComponent('水务')}`);
		expect(await table.locator('tbody tr').count()).toBe(1);

		// The template downloads as a CSV with a name.
		const template = await page.request.get(`${server.http}/admin/import/template/units`);
		expect(template.headers()['content-type']).toBe('text/csv; charset=utf-8');
		expect(template.headers()['content-disposition']).toContain('attachment');
		expect(await template.text()).toContain(header);
		await context.close();
	});

	it('creates an account and seats it as a part-time member for a unit', async () => {
		const { context, page } = await signInPage(browser, server.http, 'admin', ADMIN_PASSWORD);
		await open(page, '/admin/users');
		await page.click('[data-testid=user-add-open]');
		await page.fill('#user-username', 'zhao.bing');
		await page.fill('#user-displayName', '赵兵');
		await page.click('form[action="?/create"] button[type=submit]');
		// No password given: one is generated and shown once.
		const password = (await page.locator('[data-testid=generated-password]').textContent({ timeout: 10_000 }))?.trim() ?? '';
		expect(password).toMatch(/^[A-Za-z0-9]{16}$/);
		expect(await text(page, '[data-testid=user-list]')).toContain('zhao.bing');

		await open(page, committeeUrl);
		await page.fill('#member-username', 'zhao.bing');
		await page.selectOption('#member-role', 'part_time');
		// The form says a unit is needed; sent without one, the server's refusal is shown there.
		expect(await text(page, 'label[for=member-unit]')).toContain('必填');
		await page.click('form[action="?/add"] button[type=submit]');
		await expect.poll(() => text(page, '#member-unit-error')).toContain('兼职委员必须选择所在单位');
		expect(await page.getAttribute('#member-unit', 'aria-invalid')).toBe('true');
		expect(await page.locator('[data-testid=member-list]').count()).toBe(0);
		await page.selectOption('#member-unit', { label: '青川区人民医院' });
		await page.click('form[action="?/add"] button[type=submit]');
		const seat = page.locator('[data-testid=member-list] li[data-username="zhao.bing"]');
		await expect.poll(() => seat.textContent()).toContain('赵兵');
		expect(await seat.textContent()).toContain('兼职委员');
		expect(await seat.textContent()).toContain('青川区人民医院');
		await context.close();

		// The new member signs in with the password handed over, and may not enter the admin area.
		const member = await signInPage(browser, server.http, 'zhao.bing', password);
		const res = await member.page.goto(`${server.http}/admin`);
		expect(res?.status()).toBe(403);
		await member.context.close();
	});

	it('fits a 375 px phone screen on every admin page', async () => {
		const { context, page } = await signInPage(browser, server.http, 'admin', ADMIN_PASSWORD, { width: 375, height: 740 });
		for (const pathname of ['/admin', '/admin/streets', '/admin/communities', '/admin/units', '/admin/committees', committeeUrl, '/admin/users', '/admin/import']) {
			await open(page, pathname);
			await noHorizontalScroll(page);
		}
		// The import preview (wide tables) stays inside the screen too.
		await page.locator('[data-testid=import-units] textarea').fill('名称,类型\n青川区第一中学,学校\n青川区第二中学,学堂\n');
		await page.locator('[data-testid=import-units] form[action="?/preview"] button[type=submit]').click();
		await expect.poll(() => page.locator('[data-testid=csv-errors] tr[data-line="3"]').count()).toBe(1);
		await noHorizontalScroll(page);
		await page.screenshot({ path: path.join(shots, 'admin-import-375.png'), fullPage: true });
		await open(page, committeeUrl);
		await page.screenshot({ path: path.join(shots, 'admin-members-375.png'), fullPage: true });
		await context.close();
	});
});
