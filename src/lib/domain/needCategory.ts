import type { Locale } from '../i18n';

/*
 * Need categories are district data, not fixed constants: each district edits its list (the
 * admin's 需求类别 page). Cards store a category's `key`, so renaming relabels every card and
 * archiving keeps old cards readable while new cards can no longer pick it. Shared by the
 * browser (labels, choices, filters), the server (projection, spreadsheets) and the summary.
 */

export interface NeedCategory {
	key: string;
	labelZh: string;
	labelEn: string;
	archived: boolean;
}

/** The fallback every district keeps: cards with a key nobody knows read as this one. */
export const OTHER_CATEGORY = 'other';

/** What a district starts with until its admin edits the list (the programme's six). */
export const DEFAULT_NEED_CATEGORIES: readonly NeedCategory[] = [
	{ key: 'party_building', labelZh: '党建引领', labelEn: 'Party building', archived: false },
	{ key: 'governance', labelZh: '社区治理', labelEn: 'Community governance', archived: false },
	{ key: 'infrastructure', labelZh: '基础设施', labelEn: 'Infrastructure', archived: false },
	{ key: 'culture_sports', labelZh: '文体活动', labelEn: 'Culture and sports', archived: false },
	{ key: 'care', labelZh: '帮扶关爱', labelEn: 'Care and assistance', archived: false },
	{ key: OTHER_CATEGORY, labelZh: '其他', labelEn: 'Other', archived: false }
];

/** Keys are short ASCII tokens (built-in names or generated `c-xxxxxxxx`); anything else is not a key. */
export const CATEGORY_KEY = /^[a-z0-9_-]{1,40}$/;

export const CATEGORY_LABEL_MAX = 20;

export function categoryLabel(list: readonly NeedCategory[], key: string, locale: Locale): string {
	const found = list.find((c) => c.key === key) ?? list.find((c) => c.key === OTHER_CATEGORY) ?? DEFAULT_NEED_CATEGORIES.find((c) => c.key === OTHER_CATEGORY)!;
	return locale === 'en' ? found.labelEn || found.labelZh : found.labelZh;
}

/**
 * What a card may be set to: the live categories, plus the card's own one when it has been
 * archived since (so the field still shows what the card says).
 */
export function categoryChoices(list: readonly NeedCategory[], locale: Locale, current?: string): { value: string; label: string }[] {
	return list.filter((c) => !c.archived || c.key === current).map((c) => ({ value: c.key, label: categoryLabel(list, c.key, locale) }));
}

/** A key the list knows, or "other": used where a card's value must resolve to a category. */
export function knownCategory(list: readonly NeedCategory[], key: string): string {
	return list.some((c) => c.key === key) ? key : OTHER_CATEGORY;
}
