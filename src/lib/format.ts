import type { Locale } from './i18n';

/** Meetings happen in China; show their times in China Standard Time whatever the device says. */
export function formatDateTime(iso: string | Date, locale: Locale): string {
	const date = typeof iso === 'string' ? new Date(iso) : iso;
	return new Intl.DateTimeFormat(locale === 'zh-CN' ? 'zh-CN' : 'en-GB', {
		timeZone: 'Asia/Shanghai',
		year: 'numeric',
		month: 'long',
		day: 'numeric',
		weekday: 'short',
		hour: '2-digit',
		minute: '2-digit'
	}).format(date);
}

/** A value for <input type="datetime-local"> in China Standard Time. */
export function toLocalInput(date: Date): string {
	const shifted = new Date(date.getTime() + 8 * 60 * 60 * 1000);
	return shifted.toISOString().slice(0, 16);
}
