import type { admin as zh } from '../zh-CN/admin';

export const admin: Record<keyof typeof zh, string> = {
	'admin.title': 'Organisation'
};
