import { fail, type ActionFailure } from '@sveltejs/kit';
import { DomainError, type MessageParams } from '$lib/server/organisation';
import { UserError } from '$lib/server/user';
import type { FieldError, FormState } from '$lib/components/admin/formState';

export type { FieldError, FormState };

/*
 * One result shape (FormState) for every admin form, so a page with many small forms (a rename
 * per row) can tell which of them the result belongs to and put each message under its field.
 */

export function field(data: FormData, name: string): string {
	const value = data.get(name);
	return typeof value === 'string' ? value : '';
}

export function done(form: string, key: string, params: MessageParams = {}): FormState {
	return { form, done: key, params };
}

export function invalid(form: string, input: Record<string, string>, errors: Record<string, FieldError>): ActionFailure<FormState> {
	return fail(400, { form, input, errors });
}

/**
 * Turns a refusal of a server module into a 400 with its message under the field it concerns
 * (`fields` maps error keys to field names). Anything else is a bug and is rethrown.
 */
export function refused(err: unknown, form: string, input: Record<string, string>, fields: Record<string, string> = {}): ActionFailure<FormState> {
	if (err instanceof DomainError) return invalid(form, input, { [fields[err.key] ?? 'form']: { key: err.key, params: err.params } });
	if (err instanceof UserError) return invalid(form, input, { [fields[err.key] ?? 'form']: { key: err.key } });
	throw err;
}

/** Error keys about a name, which belong under the name field. */
export const NAME_ERRORS: Record<string, string> = {
	'organisation.nameRequired': 'name',
	'organisation.nameTooLong': 'name',
	'organisation.nameTaken': 'name',
	'committee.nameRequired': 'name',
	'committee.nameTooLong': 'name',
	'committee.nameTaken': 'name'
};

export function pageParam(url: URL): number {
	const n = Number(url.searchParams.get('page'));
	return Number.isInteger(n) && n > 0 ? n : 1;
}

export function paginate<T>(items: T[], page: number, size: number): { items: T[]; page: number; pages: number; total: number } {
	const pages = Math.max(1, Math.ceil(items.length / size));
	const current = Math.min(page, pages);
	return { items: items.slice((current - 1) * size, current * size), page: current, pages, total: items.length };
}
