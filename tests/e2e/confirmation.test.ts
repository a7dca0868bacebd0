import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { signInPage } from '../helpers/browser';
import { useDemoSite } from '../helpers/demoSite';

const PASSWORD = 'demo-password';
const site = useDemoSite();
const shots = path.resolve('tests/e2e/artifacts');


const stateOf = (page: Page) => page.locator('[data-testid=meeting-state]').textContent();

describe('written opinions and confirmation of the minutes', () => {
	it('a part-time member on a phone gives a written opinion and confirms; the convener sees who confirmed and must give a reason to finalize without everyone', async () => {
		const convener = await signInPage(site.browser, site.server.http, 'convener', PASSWORD);
		const c = convener.page;
		await c.locator('[data-testid=committee-list] a').first().click();
		await c.locator('[data-testid=meeting-list] a').first().click();
		await c.waitForURL(/\/meetings\//);
		const url = c.url();

		// The convener puts an item on the agenda and starts the meeting.
		await c.click('[data-testid=agenda-add]');
		await c.locator('li.item input[id$=-title]').first().pressSequentially('老旧小区加装电梯', { delay: 10 });
		await expect.poll(() => c.locator('[data-testid=agenda-live] [data-testid=collab-state]').getAttribute('data-state'), { timeout: 10_000 }).toBe('saved');
		await c.click('[data-testid=transition-start]');
		await expect.poll(() => stateOf(c)).toBe('进行中');

		// The part-time member, on a phone, writes an opinion in the unit's name.
		const partTime = await signInPage(site.browser, site.server.http, 'parttime', PASSWORD, { width: 375, height: 800 });
		const p = partTime.page;
		await p.goto(url);
		await p.waitForSelector('body[data-hydrated]');
		const panel = p.locator('[data-testid=opinions-panel]');
		await expect.poll(() => panel.locator('[data-testid=opinion-item-heading]').first().textContent()).toContain('老旧小区加装电梯');
		await p.selectOption('[data-testid=opinion-item]', { index: 0 });
		// Empty is refused by the server too (the browser's own check is bypassed here).
		await p.locator('[data-testid=opinion-body-input]').evaluate((el) => el.removeAttribute('required'));
		await p.click('[data-testid=opinion-submit]');
		await expect.poll(() => p.locator('[data-testid=opinion-error]').textContent()).toBe('请填写意见内容。');
		await p.fill('[data-testid=opinion-body-input]', '本单位同意，建议优先安排三号楼，可派志愿者协助入户征求意见。');
		const unitLabel = (await p.locator('label:has([data-testid=opinion-as-unit])').textContent())!.trim();
		const unitName = unitLabel.replace(/^以单位名义（/, '').replace(/）$/, '');
		expect(unitName.length).toBeGreaterThan(0);
		await p.check('[data-testid=opinion-as-unit]');
		await p.click('[data-testid=opinion-submit]');
		const opinion = panel.locator('[data-testid=opinion]').first();
		await expect.poll(() => opinion.locator('[data-testid=opinion-body]').textContent(), { timeout: 10_000 }).toContain('建议优先安排三号楼');
		expect(await opinion.locator('[data-testid=opinion-author]').textContent()).toContain(unitName);
		// Nothing is wider than the phone.
		expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
		await panel.screenshot({ path: path.join(shots, 'opinion-375.png') });

		// Before review there is nothing to confirm.
		expect(await p.locator('[data-testid=confirmation-panel]').count()).toBe(0);
		await c.click('[data-testid=transition-review]');
		await expect.poll(() => stateOf(c)).toBe('纪要审阅');

		// In review the part-time member confirms for the unit.
		await p.reload();
		await p.waitForSelector('body[data-hydrated]');
		const mine = p.locator('[data-testid=confirmation-answer]');
		await expect.poll(() => mine.textContent()).toContain(unitName);
		await p.click('[data-testid=confirm-minutes]');
		const myRow = p.locator('[data-testid=confirmation-party]', { hasText: unitName });
		await expect.poll(() => myRow.getAttribute('data-status'), { timeout: 10_000 }).toBe('confirmed');
		expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
		await p.locator('[data-testid=confirmation-panel]').screenshot({ path: path.join(shots, 'confirmation-375.png') });

		// The convener sees who confirmed and who has not answered.
		await c.reload();
		await c.waitForSelector('body[data-hydrated]');
		const rows = c.locator('[data-testid=confirmation-party]');
		await expect.poll(() => c.locator('[data-testid=confirmation-party][data-status=confirmed]').count()).toBe(1);
		expect(await c.locator('[data-testid=confirmation-party][data-status=confirmed]').textContent()).toContain(unitName);
		const total = await rows.count();
		expect(total).toBeGreaterThan(1);
		expect(await c.locator('[data-testid=confirmation-summary]').textContent()).toContain(`确认无误 1，有异议 0，未答复 ${total - 1}`);

		// Finalizing without everyone needs a written reason: the field is there, and the server insists.
		await expect.poll(() => c.locator('[data-testid=override-needed]').textContent()).toContain(`尚有 ${total - 1} 方`);
		const override = c.locator('[data-testid=finalize-override]');
		expect(await override.getAttribute('required')).not.toBeNull();
		await override.evaluate((el) => el.removeAttribute('required'));
		c.once('dialog', (d) => void d.accept());
		await c.click('[data-testid=transition-finalize]');
		await expect.poll(() => c.locator('[data-testid=lifecycle-error]').textContent(), { timeout: 10_000 }).toContain('还有单位或委员没有确认纪要');
		expect(await stateOf(c)).toBe('纪要审阅');
		await c.fill('[data-testid=finalize-override]', '部分单位已电话确认，按期定稿。');
		c.once('dialog', (d) => void d.accept());
		await c.click('[data-testid=transition-finalize]');
		await expect.poll(() => stateOf(c), { timeout: 15_000 }).toBe('定稿');
		// The record stays: the opinion and the confirmation list, no longer open to changes.
		await expect.poll(() => c.locator('[data-testid=opinion-body]').first().textContent()).toContain('建议优先安排三号楼');
		expect(await c.locator('[data-testid=opinion-form]').count()).toBe(0);
		expect(await c.locator('[data-testid=confirmation-party][data-status=confirmed]').count()).toBe(1);
		await c.screenshot({ path: path.join(shots, 'confirmation-finalized.png'), fullPage: true });

		await partTime.context.close();
		await convener.context.close();
	});
});
