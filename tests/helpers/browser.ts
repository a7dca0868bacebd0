import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium, driven by playwright-core; never a downloaded browser. */
export async function launchBrowser(): Promise<Browser> {
	return chromium.launch({
		executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
		args: [
			'--headless',
			'--no-sandbox',
			'--disable-gpu',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
			'--no-first-run',
			'--disable-quic'
		]
	});
}

export async function signInPage(browser: Browser, base: string, username: string, password: string, viewport = { width: 1280, height: 900 }): Promise<{ context: BrowserContext; page: Page }> {
	const context = await browser.newContext({ viewport, locale: 'zh-CN' });
	const page = await context.newPage();
	page.on('pageerror', (err) => console.error(`[browser ${username}] page error:`, err.message));
	watchCsp(page, username);
	await page.goto(`${base}/login`);
	await page.waitForSelector('body[data-hydrated]');
	await page.fill('#username', username);
	await page.fill('#password', password);
	await Promise.all([page.waitForURL((url) => !url.pathname.startsWith('/login')), page.click('main button[type=submit]')]);
	return { context, page };
}

const violations = new WeakMap<Page, string[]>();

/** Records what the Content-Security-Policy blocked on this page (the browser reports it on the console). */
export function watchCsp(page: Page, who = 'browser'): void {
	if (violations.has(page)) return;
	const list: string[] = [];
	violations.set(page, list);
	page.on('console', (message) => {
		if (!/Content Security Policy/i.test(message.text())) return;
		list.push(message.text());
		console.error(`[browser ${who}] CSP:`, message.text());
	});
}

/** What the Content-Security-Policy blocked on the page so far. */
export function cspViolations(page: Page): string[] {
	return violations.get(page) ?? [];
}
