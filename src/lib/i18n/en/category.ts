import type { category as zh } from '../zh-CN/category';

export const category: Record<keyof typeof zh, string> = {
	'admin.nav.categories': 'Need categories',

	'admin.categories.title': 'Need categories',
	'admin.categories.intro': 'The categories of the needs lists. Every community and subdistrict board in the district uses this list; renaming a category renames it on existing needs, and an archived category is no longer offered for new needs while existing needs keep showing it. “Other” always stays.',
	'admin.categories.add': 'Add a category',
	'admin.categories.labelZh': 'Chinese name',
	'admin.categories.labelEn': 'English name (optional)',
	'admin.categories.placeholderZh': 'e.g. 为老服务',
	'admin.categories.placeholderEn': 'e.g. Elderly care',
	'admin.categories.list': 'The district’s categories',
	'admin.categories.listHint': 'This order is the order of the columns in the boards’ card view.',
	'admin.categories.labelZhOf': 'Chinese name of “{name}”',
	'admin.categories.labelEnOf': 'English name of “{name}”',
	'admin.categories.moveUp': 'Move “{name}” up',
	'admin.categories.moveDown': 'Move “{name}” down',
	'admin.categories.archive': 'Archive',
	'admin.categories.restore': 'Restore',
	'admin.categories.isArchived': 'Archived',
	'admin.categories.fixed': 'Always kept',
	'admin.categories.archived': 'The category was archived.',
	'admin.categories.restored': 'The category is in use again.',
	'admin.categories.moved': 'The order was changed.',
	'admin.categories.show': 'Show',

	'category.labelRequired': 'Enter the category’s Chinese name.',
	'category.labelTooLong': 'A category name has at most {max} characters.',
	'category.labelTaken': 'There is already a category named “{label}”.',
	'category.notFound': 'This category no longer exists; someone may have changed it. Reload the page.',
	'category.otherIsFixed': '“Other” cannot be archived: needs that fit nowhere else go there.'
};
