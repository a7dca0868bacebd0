import { Node, mergeAttributes, type NodeViewRenderer } from '@tiptap/core';
import { Plugin, PluginKey, TextSelection, type Transaction } from '@tiptap/pm/state';
import type { Node as PmNode } from '@tiptap/pm/model';
import { ySyncPluginKey } from '@tiptap/y-tiptap';

/*
 * The decision block (决议): rich text plus the responsible unit(s) and a due date, with a
 * stable id that the tracked project item is keyed by. The same node definition serves the
 * browser editor and the server's readers; only the browser passes a node view.
 */

export const DECISION_NODE = 'decision';
/** Typed alone in an empty paragraph and followed by Enter, these turn it into a decision. */
export const DECISION_TRIGGERS = ['/决议', '/decision'];

export interface DecisionAttrs {
	id: string | null;
	/** Responsible unit ids, comma-separated (Yjs attributes stay plain strings). */
	units: string;
	/** YYYY-MM-DD or empty. */
	dueDate: string;
	/** The board proposal this decision approves, if any. */
	proposalId: string;
}

export interface DecisionOptions {
	nodeView: NodeViewRenderer | null;
}

declare module '@tiptap/core' {
	interface Commands<ReturnType> {
		decision: {
			/** Inserts an empty decision block at the selection. */
			insertDecision: () => ReturnType;
			setDecisionAttrs: (pos: number, attrs: Partial<DecisionAttrs>) => ReturnType;
		};
	}
}

export function newDecisionId(): string {
	return crypto.randomUUID();
}

export function parseUnits(value: unknown): string[] {
	return typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : [];
}

const uniqueIdKey = new PluginKey('decisionUniqueIds');

/**
 * Gives every decision block an id and keeps ids unique: a pasted copy of a block gets a new
 * id, the original keeps its own (told apart by mapping the old positions through the
 * transaction), and a cut-and-paste keeps the id. Remote changes are left to the client
 * that made them, so two clients never race to renumber the same block.
 */
export function uniqueIdPlugin(): Plugin {
	return new Plugin({
		key: uniqueIdKey,
		appendTransaction(transactions, oldState, newState) {
			if (!transactions.some((tr) => tr.docChanged)) return null;
			if (transactions.every((tr) => tr.getMeta(ySyncPluginKey)?.isChangeOrigin)) return null;
			const keeperPos = new Map<string, number>();
			oldState.doc.descendants((node, pos) => {
				if (node.type.name !== DECISION_NODE || !node.attrs.id) return true;
				let mapped = pos;
				for (const tr of transactions) mapped = tr.mapping.map(mapped, 1);
				keeperPos.set(node.attrs.id as string, mapped);
				return false;
			});
			const seen = new Set<string>();
			const fixes: { pos: number; node: PmNode }[] = [];
			const nodes: { pos: number; node: PmNode }[] = [];
			newState.doc.descendants((node, pos) => {
				if (node.type.name !== DECISION_NODE) return true;
				nodes.push({ pos, node });
				return false;
			});
			// Keepers first, so that a copy pasted above its original does not steal its id.
			for (const { pos, node } of nodes) {
				const id = node.attrs.id as string | null;
				if (id && keeperPos.get(id) === pos) seen.add(id);
			}
			for (const { pos, node } of nodes) {
				const id = node.attrs.id as string | null;
				if (id && keeperPos.get(id) === pos) continue;
				if (!id || seen.has(id)) fixes.push({ pos, node });
				else seen.add(id);
			}
			if (fixes.length === 0) return null;
			const tr = newState.tr;
			for (const { pos, node } of fixes) tr.setNodeMarkup(pos, undefined, { ...node.attrs, id: newDecisionId() });
			tr.setMeta('addToHistory', false);
			return tr;
		}
	});
}

function replaceParagraphWithDecision(tr: Transaction, from: number, to: number, decision: PmNode): Transaction {
	tr.replaceWith(from, to, decision);
	// Caret into the decision's first paragraph.
	return tr.setSelection(TextSelection.create(tr.doc, from + 2));
}

export const Decision = Node.create<DecisionOptions>({
	name: DECISION_NODE,
	group: 'block',
	content: 'paragraph+',
	defining: true,
	isolating: true,

	addOptions() {
		return { nodeView: null };
	},

	addAttributes() {
		return {
			id: {
				default: null,
				parseHTML: (el) => el.getAttribute('data-decision-id'),
				renderHTML: (attrs) => (attrs.id ? { 'data-decision-id': attrs.id } : {})
			},
			units: {
				default: '',
				parseHTML: (el) => el.getAttribute('data-units') ?? '',
				renderHTML: (attrs) => ({ 'data-units': attrs.units })
			},
			dueDate: {
				default: '',
				parseHTML: (el) => el.getAttribute('data-due-date') ?? '',
				renderHTML: (attrs) => ({ 'data-due-date': attrs.dueDate })
			},
			proposalId: {
				default: '',
				parseHTML: (el) => el.getAttribute('data-proposal') ?? '',
				renderHTML: (attrs) => (attrs.proposalId ? { 'data-proposal': attrs.proposalId } : {})
			}
		};
	},

	parseHTML() {
		return [{ tag: 'section[data-type="decision"]' }];
	},

	renderHTML({ HTMLAttributes }) {
		return ['section', mergeAttributes({ 'data-type': 'decision', class: 'decision' }, HTMLAttributes), 0];
	},

	addNodeView() {
		return this.options.nodeView;
	},

	addCommands() {
		return {
			insertDecision:
				() =>
				({ state, dispatch }) => {
					const type = state.schema.nodes[DECISION_NODE]!;
					const paragraph = state.schema.nodes.paragraph!;
					const node = type.create({ id: newDecisionId(), units: '', dueDate: '', proposalId: '' }, paragraph.create());
					const { $from } = state.selection;
					if (dispatch) {
						const tr = state.tr;
						const parent = $from.parent;
						// An empty paragraph becomes the decision; otherwise it goes after the current block.
						if (parent.type === paragraph && parent.content.size === 0 && $from.depth >= 1) {
							dispatch(replaceParagraphWithDecision(tr, $from.before(), $from.after(), node).scrollIntoView());
						} else {
							const at = $from.depth >= 1 ? $from.after(1) : state.doc.content.size;
							tr.insert(at, node);
							dispatch(tr.setSelection(TextSelection.create(tr.doc, at + 2)).scrollIntoView());
						}
					}
					return true;
				},
			setDecisionAttrs:
				(pos, attrs) =>
				({ state, dispatch }) => {
					const node = state.doc.nodeAt(pos);
					if (!node || node.type.name !== DECISION_NODE) return false;
					if (dispatch) dispatch(state.tr.setNodeMarkup(pos, undefined, { ...node.attrs, ...attrs }));
					return true;
				}
		};
	},

	addKeyboardShortcuts() {
		return {
			Enter: ({ editor }) => {
				const { state } = editor;
				const { $from, empty } = state.selection;
				const parent = $from.parent;
				if (!empty || parent.type.name !== 'paragraph') return false;
				if (!DECISION_TRIGGERS.includes(parent.textContent.trim())) return false;
				for (let d = $from.depth; d > 0; d--) if ($from.node(d).type.name === DECISION_NODE) return false;
				const node = state.schema.nodes[DECISION_NODE]!.create({ id: newDecisionId(), units: '', dueDate: '', proposalId: '' }, state.schema.nodes.paragraph!.create());
				editor.view.dispatch(replaceParagraphWithDecision(state.tr, $from.before(), $from.after(), node).scrollIntoView());
				return true;
			}
		};
	},

	addProseMirrorPlugins() {
		return [uniqueIdPlugin()];
	}
});
