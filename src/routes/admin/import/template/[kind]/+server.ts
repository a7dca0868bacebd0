import { error } from '@sveltejs/kit';
import { requireAdmin } from '$lib/server/guard';
import { CSV_TEMPLATES } from '$lib/server/csvImport';
import type { RequestHandler } from './$types';

const FILE_NAMES: Record<keyof typeof CSV_TEMPLATES, { ascii: string; zh: string }> = {
	units: { ascii: 'units-template.csv', zh: '驻区单位导入模板.csv' },
	members: { ascii: 'members-template.csv', zh: '委员会成员导入模板.csv' }
};

function isTemplate(kind: string): kind is keyof typeof CSV_TEMPLATES {
	return Object.prototype.hasOwnProperty.call(CSV_TEMPLATES, kind);
}

export const GET: RequestHandler = ({ params, locals, url }) => {
	requireAdmin(locals, url);
	if (!isTemplate(params.kind)) error(404, { message: 'not-found', code: 'not_found' });
	const name = FILE_NAMES[params.kind];
	return new Response(CSV_TEMPLATES[params.kind], {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			// The plain name for old clients, the Chinese one (RFC 6266 / 5987) for everyone else.
			'content-disposition': `attachment; filename="${name.ascii}"; filename*=UTF-8''${encodeURIComponent(name.zh)}`,
			'cache-control': 'no-store'
		}
	});
};
