import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { MINUTES_FIELD, minutesDocName } from '../../src/lib/docs/minutes';
import { cspViolations, signInPage } from '../helpers/browser';
import { apiCall } from '../helpers/decision';
import { useDemoSite } from '../helpers/demoSite';
import { connect, waitAcked, waitSynced } from '../helpers/provider';
import { apiGet, apiToken } from '../helpers/serverProcess';

/*
 * A malicious member skips the editor and writes straight into the minutes' Yjs document: links
 * to javascript:, data: and vbscript: addresses and markup in the text. Everyone else's browser
 * shows words, never runs anything.
 */

const PASSWORD = 'demo-password';
const site = useDemoSite();

describe('hostile content written around the editor', () => {
	it('javascript:/data:/vbscript: links and markup from a raw Yjs write never become active in the page', async () => {
		const token = await apiToken(site.server.http, 'convener', PASSWORD);
		const { items } = await apiGet<{ items: { id: string; role: string | null }[] }>(site.server.http, token, '/api/v1/committees');
		const committee = items.find((c) => c.role === 'convener')!;
		const created = await apiCall(site.server.http, 'POST', `/api/v1/committees/${committee.id}/meetings`, token, { title: '恶意内容测试', kind: 'special', startsAt: '2026-12-20T09:30:00+08:00' });
		const meetingId = created.json.id as string;
		expect((await apiCall(site.server.http, 'POST', `/api/v1/meetings/${meetingId}/transitions`, token, { transition: 'start' })).status).toBe(200);

		const writer = connect(site.server.ws, minutesDocName(meetingId), token);
		try {
			await waitSynced(writer);
			const paragraph = new Y.XmlElement('paragraph');
			const text = new Y.XmlText();
			paragraph.insert(0, [text]);
			writer.doc.getXmlFragment(MINUTES_FIELD).push([paragraph]);
			text.insert(0, '脚本链接', { link: { href: 'javascript:window.__pwned=1' } });
			text.insert(text.length, ' 数据链接', { link: { href: 'data:text/html,<script>window.__pwned=2</script>' } });
			text.insert(text.length, ' 旧式链接', { link: { href: 'vbscript:msgbox(1)' } });
			text.insert(text.length, ' <img src=x onerror="window.__pwned=3"><script>window.__pwned=4</script>');
			text.insert(text.length, ' 正常链接', { link: { href: 'https://example.gov.cn/' } });
			await waitAcked(writer);
		} finally {
			writer.destroy();
		}

		const { page, context } = await signInPage(site.browser, site.server.http, 'member', PASSWORD);
		await page.goto(`${site.server.http}/meetings/${meetingId}`);
		await page.waitForSelector('body[data-hydrated]');
		const editor = page.locator('[data-testid=minutes-live] .ProseMirror');
		await expect.poll(() => editor.textContent(), { timeout: 15_000 }).toContain('正常链接');
		expect(await editor.textContent()).toContain('<img src=x onerror="window.__pwned=3"><script>');
		const hrefs = await editor.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
		expect(hrefs.filter((h) => /^\s*(javascript|data|vbscript):/i.test(h))).toEqual([]);
		expect(hrefs).toContain('https://example.gov.cn/');
		expect(await editor.locator('img, script').count()).toBe(0);
		// Clicking the former script link runs nothing.
		await editor.locator('a', { hasText: '脚本链接' }).click({ modifiers: ['Control'] }).catch(() => undefined);
		expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
		expect(cspViolations(page)).toEqual([]);
		await context.close();
	});
});
