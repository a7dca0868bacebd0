import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { decideFor } from '../helpers/decision';
import { cspViolations, signInPage, watchCsp } from '../helpers/browser';
import { useDemoSite } from '../helpers/demoSite';
import { apiGet, apiToken } from '../helpers/serverProcess';

const PASSWORD = 'demo-password';
const PHONE = { width: 375, height: 800 };
const YEAR = new Date(Date.now() + 8 * 3600_000).getUTCFullYear();
const TEXT = '为辖区独居老人开展每周一次助餐送餐服务';
const shots = path.resolve('tests/e2e/artifacts');

const site = useDemoSite();



async function noHorizontalScroll(page: Page, what: string) {
	const width = await page.evaluate(() => document.documentElement.scrollWidth);
	expect(width, `${what} is wider than the phone`).toBeLessThanOrEqual(PHONE.width);
}

describe('year-end evaluation', () => {
	it('the convener creates a round and prints links; a resident scores from a phone without an account, once; the convener sees the score', async () => {
		fs.mkdirSync(shots, { recursive: true });
		const { server, browser } = site;
		const convenerToken = await apiToken(server.http, 'convener', PASSWORD);
		const committees = await apiGet<{ items: { id: string; kind: string; role: string | null }[] }>(server.http, convenerToken, '/api/v1/committees');
		const committee = committees.items.find((c) => c.kind === 'community' && c.role === 'convener');
		expect(committee?.role).toBe('convener');
		const meetings = await apiGet<{ items: { id: string }[] }>(server.http, convenerToken, `/api/v1/committees/${committee!.id}/meetings`);
		const seats = await apiGet<{ entries: { role: string; unitId: string | null }[] }>(server.http, convenerToken, `/api/v1/meetings/${meetings.items[0]!.id}/attendance`);
		const unitId = seats.entries.find((e) => e.role === 'part_time' && e.unitId)!.unitId!;
		await decideFor(site.server, convenerToken, { committeeId: committee!.id, unitId: unitId, title: '年终述职评议准备会', text: TEXT, startsAt: `${YEAR}-01-05T09:30:00+08:00`, dueDate: `${YEAR}-12-31` });

		// The convener: committee page → evaluations → new round with the defaults and 3 links.
		const { context: convenerContext, page: c } = await signInPage(browser, server.http, 'convener', PASSWORD);
		await c.goto(`${server.http}/committees/${committee!.id}`);
		await c.waitForSelector('body[data-hydrated]');
		await Promise.all([c.waitForURL(/\/evaluations$/), c.click('[data-testid=evaluations-link]')]);
		await c.waitForSelector('body[data-hydrated]');
		await Promise.all([c.waitForURL(/new=1/), c.click('[data-testid=round-new]')]);
		await c.waitForSelector('body[data-hydrated]');
		const form = c.locator('[data-testid=round-form]');
		const item = form.locator('label.check', { hasText: TEXT });
		await expect.poll(() => item.count()).toBe(1);
		expect(await item.locator('input').isChecked()).toBe(true);
		expect(await form.locator('[data-testid=criteria-editor] input[name=criterionLabel]').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value))).toEqual([
			'完成情况',
			'实际效果',
			'群众满意度',
			'协作配合'
		]);
		await c.fill('#title', `${YEAR}年度共建项目述职评议`);
		await c.fill('#links', '3');
		await c.click('[data-testid=round-create]');
		const sheet = c.locator('[data-testid=qr-sheet]');
		await sheet.waitFor();
		await expect.poll(() => sheet.locator('[data-testid=qr-link]').count()).toBe(3);
		expect(await sheet.locator('[data-testid=qr-link] svg').count()).toBe(3);
		expect(await sheet.locator('[data-testid=qr-link]').first().getAttribute('data-serial')).toBe('1');
		const url = (await sheet.locator('[data-testid=qr-url]').first().textContent())!.trim();
		const secondUrl = (await sheet.locator('[data-testid=qr-url]').nth(1).textContent())!.trim();
		expect(url).toMatch(new RegExp(`^${server.http}/score/[a-z2-7]{26}$`));
		await c.emulateMedia({ media: 'print' });
		expect(await c.locator('header.top').isVisible()).toBe(false);
		await c.screenshot({ path: path.join(shots, 'evaluation-qr-sheet-print.png'), fullPage: true });
		await c.emulateMedia({ media: 'screen' });
		const roundHref = (await sheet.locator('a.button.secondary').getAttribute('href'))!;

		// Two phones with the same printed code, no session: one with scripts, one without.
		const phone = await browser.newContext({ viewport: PHONE, locale: 'zh-CN' });
		const p = await phone.newPage();
		p.on('pageerror', (err) => console.error('[browser phone] page error:', err.message));
		watchCsp(p, 'phone');
		const plain = await browser.newContext({ viewport: PHONE, locale: 'zh-CN', javaScriptEnabled: false });
		const q = await plain.newPage();
		await q.goto(url);
		await p.goto(url);
		await p.waitForSelector('body[data-hydrated]');
		expect(new URL(p.url()).pathname).toMatch(/^\/score\//);
		expect(await p.locator('h1').textContent()).toContain(`${YEAR}年度共建项目述职评议`);
		const project = p.locator('[data-testid=score-project]', { hasText: TEXT });
		expect(await project.getAttribute('data-scored')).toBe('false');
		expect(await project.textContent()).toContain('责任单位');
		await noHorizontalScroll(p, 'the scoring page');
		await p.screenshot({ path: path.join(shots, 'evaluation-score-375.png'), fullPage: true });

		const values = project.locator('[data-testid=score-value]');
		expect(await values.count()).toBe(4);
		for (const [i, v] of ['22', '20', '25', '18'].entries()) await values.nth(i).fill(v);
		await project.locator('textarea[name=comment]').fill('送餐准时，老人很满意');
		await project.locator('[data-testid=score-submit]').click();
		await expect.poll(() => project.getAttribute('data-scored')).toBe('true');
		expect(await project.locator('[data-testid=score-saved]').textContent()).toContain('评分已提交');
		expect(await project.locator('[data-testid=score-form]').count()).toBe(0);
		await noHorizontalScroll(p, 'the scoring page after scoring');

		// The same link on the other phone (no JavaScript: a plain form post) is refused.
		const stale = q.locator('[data-testid=score-project]', { hasText: TEXT });
		const staleValues = stale.locator('[data-testid=score-value]');
		for (const [i, v] of ['1', '1', '1', '1'].entries()) await staleValues.nth(i).fill(v);
		await Promise.all([q.waitForLoadState('load'), stale.locator('[data-testid=score-submit]').click()]);
		const again = q.locator('[data-testid=score-project]', { hasText: TEXT });
		await again.waitFor();
		expect(await again.getAttribute('data-scored')).toBe('true');
		expect(await again.locator('[data-testid=score-error]').textContent()).toContain('已经评过分');

		// A made-up token: the page every unknown link gets, as a 404.
		const forged = await p.goto(`${server.http}/score/${'a'.repeat(26)}`);
		expect(forged?.status()).toBe(404);
		expect(await p.locator('[data-testid=score-not-found]').textContent()).toContain('评议链接无效');
		await noHorizontalScroll(p, 'the invalid-link page');

		// Through HTTP, as a script would post: link 2's 21st submission within a minute is refused with 429.
		const projectId = (await again.getAttribute('data-id'))!;
		const post = async () => {
			const body = new FormData();
			body.set('projectItemId', projectId);
			for (let i = 0; i < 4; i++) body.set(`s${i}`, '10');
			const res = await fetch(secondUrl, { method: 'POST', body, headers: { origin: server.http, 'x-sveltekit-action': 'true' } });
			return ((await res.json()) as { type: string; status?: number }).status ?? res.status;
		};
		const statuses: number[] = [];
		for (let i = 0; i < 21; i++) statuses.push(await post());
		expect(statuses[0]).toBe(200);
		expect(statuses.slice(1, 20).every((s) => s === 409)).toBe(true);
		expect(statuses[20]).toBe(429);

		// The convener's results: link 1's score and link 2's scripted one (10 × 4), the comment.
		await c.goto(`${server.http}${roundHref}`);
		await c.waitForSelector('body[data-hydrated]');
		const row = c.locator('[data-testid=result-project]', { hasText: TEXT });
		expect(await row.locator('[data-testid=result-count]').textContent()).toBe('2');
		expect(await row.locator('[data-testid=result-total]').textContent()).toBe('62.5');
		expect(await c.locator('[data-testid=results]').textContent()).toContain('送餐准时，老人很满意');
		expect(await c.locator('[data-testid=results-units]').textContent()).toContain('1');
		const download = await Promise.all([c.waitForEvent('download'), c.click('[data-testid=results-export]')]);
		expect(download[0].suggestedFilename()).toMatch(/\.xlsx$/);

		// Closed, the results become the evaluation report in the record.
		expect(await c.locator('[data-testid=report-freeze]').isDisabled()).toBe(true);
		await c.click('[data-testid=round-close]');
		await expect.poll(() => c.locator('[data-testid=round-phase]').textContent(), { timeout: 10_000 }).toContain('已结束');
		await c.click('[data-testid=report-freeze]');
		await expect.poll(() => c.locator('[data-testid=report-link]').first().textContent(), { timeout: 10_000 }).toMatch(/述职评议〔\d{4}〕第1号/);
		await Promise.all([c.waitForURL(/\/records\//), c.locator('[data-testid=report-link]').first().click()]);
		expect(await c.locator('[data-testid=record-view]').textContent()).toContain('送餐准时，老人很满意');
		expect(await c.locator('[data-testid=record-verify]').getAttribute('data-valid')).toBe('true');

		// The unit's year: its project and its evaluation result, for the annual assessment.
		await c.goto(`${server.http}/units/${unitId}?year=${YEAR}`);
		await c.waitForSelector('body[data-hydrated]');
		expect(await c.locator('[data-testid=unit-year-projects]').textContent()).toContain(TEXT);
		expect(await c.locator('[data-testid=unit-year-evaluations]').textContent()).toMatch(/平均分 [\d.]+，名次 1 \/ \d+/);
		await c.screenshot({ path: path.join(shots, 'unit-year.png'), fullPage: true });

		// The public scoring page and the convener's pages ran without anything blocked by the CSP.
		expect(cspViolations(p)).toEqual([]);
		expect(cspViolations(c)).toEqual([]);
		await Promise.all([phone.close(), plain.close(), convenerContext.close()]);
	});
});
