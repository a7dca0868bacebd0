import { committeeKinds } from '$lib/server/db/schema';
import { getDb } from '$lib/server/db';
import { requireAdmin } from '$lib/server/guard';
import { listCommittees } from '$lib/server/committee';
import { TemplateValidationError, getTemplate, saveTemplate } from '$lib/server/minutesTemplate';
import { done, field, invalid } from '../forms';
import type { Actions, PageServerLoad } from './$types';

/** Fictional names for the preview until the district has a committee of that kind. */
const EXAMPLE_NAMES = { community: '幸福社区大党委', street: '和平街道大工委' } as const;

export const load: PageServerLoad = async ({ locals, url }) => {
	requireAdmin(locals, url);
	const db = await getDb();
	const [templates, committees] = await Promise.all([Promise.all(committeeKinds.map((kind) => getTemplate(db, kind))), listCommittees(db)]);
	// A real committee's name makes the preview read like the minutes the admin will get.
	const exampleName = (kind: (typeof committeeKinds)[number]) => committees.find((c) => c.kind === kind)?.name ?? EXAMPLE_NAMES[kind];
	const year = new Date().getFullYear();
	return {
		templates: templates.map((tpl) => ({
			kind: tpl.committeeKind,
			titlePattern: tpl.titlePattern,
			closingText: tpl.closingText,
			stored: tpl.stored,
			example: { committeeName: exampleName(tpl.committeeKind), startsAt: `${year}-03-12T14:30:00+08:00`, ordinal: 3 }
		}))
	};
};

export const actions: Actions = {
	save: async ({ locals, url, request }) => {
		const user = requireAdmin(locals, url);
		const data = await request.formData();
		const kind = field(data, 'kind');
		const form = `save:${kind}`;
		const input = { titlePattern: field(data, 'titlePattern'), closingText: field(data, 'closingText') };
		try {
			const { changed } = await saveTemplate(await getDb(), kind, input, user.id);
			return done(form, changed ? 'template.saved' : 'template.unchanged');
		} catch (err) {
			if (err instanceof TemplateValidationError) return invalid(form, { kind, ...input }, err.fields);
			throw err;
		}
	}
};
