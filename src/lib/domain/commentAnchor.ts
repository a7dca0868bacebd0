/**
 * The anchor id of a 'text' thread about the minutes as a whole rather than a passage: the
 * objection (有异议) a party raises in review. It has no mark in the document, so it is never
 * "detached".
 */
export const WHOLE_MINUTES = 'objection';
