import type { ActionResult, SubmitFunction } from '@sveltejs/kit';

export interface SubmitOptions {
	/** Asked first, for destructive actions; declining sends nothing. */
	confirm?: string;
	/** Runs once the page shows the result, e.g. to close an edit form that saved. */
	after?: (result: ActionResult) => void;
}

/**
 * Which form of a page is being saved. Pages with a form per row share one instance, so the
 * button of the form in flight can say "saving" while the rest of the page stays usable.
 *
 * Create forms are emptied by re-creating them (`{#key pending.generation(key)}`) rather than
 * with form.reset(): reset() restores the HTML defaults, which for selects and radios bound to
 * state are not what the page shows, leaving the DOM and the state disagreeing.
 */
export class Pending {
	key = $state<string | null>(null);
	#generations = $state<Record<string, number>>({});

	is(key: string): boolean {
		return this.key === key;
	}

	/** Counts the successful submissions of a form. */
	generation(key: string): number {
		return this.#generations[key] ?? 0;
	}

	submit(key: string, options: SubmitOptions = {}): SubmitFunction {
		return ({ cancel }) => {
			if (options.confirm !== undefined && !window.confirm(options.confirm)) {
				cancel();
				return;
			}
			this.key = key;
			return async ({ result, update }) => {
				try {
					await update({ reset: false });
				} finally {
					this.key = null;
				}
				if (result.type === 'success' || result.type === 'redirect') this.#generations[key] = this.generation(key) + 1;
				options.after?.(result);
			};
		};
	}
}
