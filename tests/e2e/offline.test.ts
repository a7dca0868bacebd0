import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, signInPage } from '../helpers/browser';
import { freshServerEnv } from '../helpers/serverEnv';
import { startServer, type ServerProcess } from '../helpers/serverProcess';

/*
 * On the train with no signal: a member keeps writing the minutes on a phone, even reloads the
 * page, and when the signal returns the edit reaches the others. The network is cut by the
 * browser (context.setOffline), the page comes back from the service worker's copy and the
 * document from IndexedDB.
 */

const PASSWORD = 'demo-password';
const PHONE = { width: 375, height: 740 };
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

const state = (page: Page) => page.locator('[data-testid=minutes-live] [data-testid=collab-state]').getAttribute('data-state');
const minutesText = (page: Page) => page.locator('[data-testid=minutes-editor]').innerText();

describe('working offline', () => {
	it('a member writes the minutes offline, reloads without a network, and the edit reaches the others when the signal returns', async () => {
		const recorder = await signInPage(browser, server.http, 'recorder', PASSWORD);
		const r = recorder.page;
		await r.locator('[data-testid=committee-list] a').first().click();
		await r.locator('[data-testid=meeting-list] a').first().click();
		await r.waitForURL(/\/meetings\//);
		const url = r.url();
		await r.click('[data-testid=transition-start]');
		await expect.poll(() => r.locator('[data-testid=meeting-state]').textContent()).toBe('进行中');
		await expect.poll(() => minutesText(r), { timeout: 15_000 }).toContain('会议议题');

		const member = await signInPage(browser, server.http, 'parttime', PASSWORD, PHONE);
		const m = member.page;
		await m.goto(url);
		await expect.poll(() => state(m), { timeout: 15_000 }).toBe('saved');
		// Once the service worker is active (installing caches the whole build first, which takes a
		// while on a busy machine), the next load of the page is served through it and kept.
		await m.evaluate(() => navigator.serviceWorker.ready.then(() => true));
		await m.reload();
		await expect.poll(() => m.evaluate(() => navigator.serviceWorker.controller !== null), { timeout: 30_000 }).toBe(true);
		await expect.poll(() => state(m), { timeout: 15_000 }).toBe('saved');
		await expect.poll(() => m.locator('[data-testid=minutes-editor]').getAttribute('contenteditable'), { timeout: 15_000 }).toBe('true');

		// No signal. The page says so at once, and counts what is not yet on the server.
		await member.context.setOffline(true);
		await expect.poll(() => state(m), { timeout: 10_000 }).toBe('offline');
		await m.locator('[data-testid=minutes-editor] > p').last().click();
		await m.keyboard.press('Control+End');
		await m.keyboard.press('Enter');
		await m.keyboard.type('列车上补充：建议增加夜间门诊。', { delay: 10 });
		await expect.poll(() => m.locator('[data-testid=minutes-live] [data-testid=collab-state]').textContent()).toMatch(/离线：\d+ 处修改尚未保存/);
		await m.screenshot({ path: path.join(shots, 'offline-375.png'), fullPage: true });
		// Still offline, the tab is reloaded: the page and the unsent edit come back from the device.
		await m.reload();
		await expect.poll(() => minutesText(m), { timeout: 15_000 }).toContain('列车上补充：建议增加夜间门诊。');
		await r.waitForTimeout(500);
		expect(await minutesText(r)).not.toContain('列车上补充');

		// The signal returns: the edit is sent, saved, and reaches the recorder, once.
		await member.context.setOffline(false);
		await expect.poll(() => minutesText(r), { timeout: 20_000 }).toContain('列车上补充：建议增加夜间门诊。');
		await expect.poll(() => state(m), { timeout: 20_000 }).toBe('saved');
		expect((await minutesText(r)).split('列车上补充').length - 1).toBe(1);
		await member.context.close();
		await recorder.context.close();
	});
});
