export const admin = {
	'admin.title': '组织管理'
} as const;
