import type { Locale, Translate } from '$lib/i18n';

/** "2026-11" as people say it: 2026年11月 / Nov 2026. */
export function monthLabel(month: string, t: Translate): string {
	const [year, m] = month.split('-');
	return t('projectPage.monthLabel', { year: year ?? '', month: Number(m ?? 0) });
}

/** A moment of an item's history, in China time whatever the phone's zone (the committee works in China). */
export function formatMoment(at: Date | string, locale: Locale): string {
	const date = typeof at === 'string' ? new Date(at) : at;
	return new Intl.DateTimeFormat(locale === 'zh-CN' ? 'zh-CN' : 'en-GB', {
		timeZone: 'Asia/Shanghai',
		year: 'numeric',
		month: 'numeric',
		day: 'numeric',
		hour: '2-digit',
		minute: '2-digit'
	}).format(date);
}

/** Attachment sizes: KB below a megabyte, MB with one decimal above. */
export function fileSize(bytes: number): string {
	return bytes < 1024 * 1024 ? `${Math.max(1, Math.ceil(bytes / 1024))} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
