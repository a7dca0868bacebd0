import { describe, expect, it } from 'vitest';
import { catalogue, translate } from '../../src/lib/i18n';

describe('message catalogue', () => {
	const zh = catalogue('zh-CN');
	const en = catalogue('en');

	it('has every key in both languages, none empty', () => {
		expect(Object.keys(en).sort()).toEqual(Object.keys(zh).sort());
		for (const [key, value] of [...Object.entries(zh), ...Object.entries(en)]) expect(value.trim(), key).not.toBe('');
	});

	it('uses the same placeholders in both languages', () => {
		const params = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
		for (const key of Object.keys(zh) as (keyof typeof zh)[]) expect(params(en[key]), key).toEqual(params(zh[key]));
	});

	it('interpolates parameters', () => {
		expect(translate('zh-CN', 'login.throttled', { minutes: 15 })).toBe('尝试次数过多，请在 15 分钟后再试。');
		expect(translate('en', 'common.pageOf', { page: 2, pages: 5 })).toBe('Page 2 of 5');
	});
});
