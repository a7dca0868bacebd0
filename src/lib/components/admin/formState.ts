import type { Params } from '$lib/i18n';

/** A message for one field of an admin form: a catalogue key plus the values its text needs. */
export interface FieldError {
	key: string;
	params?: Params;
}

/** What every admin form action answers (see src/routes/admin/forms.ts). */
export interface FormState {
	/** Which form on the page answered: an action name, plus ":<id>" for per-row forms. */
	form: string;
	input?: Record<string, string>;
	/** Keyed by field name; "form" for a refusal that belongs to no single field. */
	errors?: Record<string, FieldError>;
	/** Message key of a success notice. */
	done?: string;
	params?: Params;
	/** A password made up by the server, shown once with the notice and never again. */
	password?: string;
}

/** The part of a page's `form` prop that belongs to one form, or null. */
export function stateOf(result: unknown, formId: string): FormState | null {
	if (typeof result !== 'object' || result === null) return null;
	const state = result as Partial<FormState>;
	return state.form === formId ? (state as FormState) : null;
}
