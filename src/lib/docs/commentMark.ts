import { Mark, mergeAttributes } from '@tiptap/core';

/*
 * The anchor of a comment thread in the minutes: a mark carrying the thread's id. The thread
 * itself (bodies, authors, resolution) lives in PostgreSQL; the mark only says where it sits,
 * so the range moves with concurrent edits and disappears with the text it covers.
 */

export const COMMENT_MARK = 'comment';
/** Thread ids are UUIDs; anything else in a document is ignored rather than trusted. */
const THREAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isThreadId(value: unknown): value is string {
	return typeof value === 'string' && THREAD_ID.test(value);
}

export const CommentMark = Mark.create({
	name: COMMENT_MARK,
	// Typing at either edge of a commented range must not pull the new text into the thread.
	inclusive: false,
	addAttributes() {
		return {
			threadId: {
				default: null,
				parseHTML: (el) => el.getAttribute('data-thread-id'),
				renderHTML: (attrs) => (isThreadId(attrs.threadId) ? { 'data-thread-id': attrs.threadId } : {})
			}
		};
	},
	parseHTML() {
		return [{ tag: 'span[data-thread-id]' }];
	},
	renderHTML({ HTMLAttributes }) {
		return ['span', mergeAttributes(HTMLAttributes, { class: 'comment-anchor' }), 0];
	}
});
