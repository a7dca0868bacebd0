import type { Editor, NodeViewRenderer } from '@tiptap/core';
import type { Node as PmNode } from '@tiptap/pm/model';
import { parseUnits } from '../docs/decision';
import type { Translate } from '../i18n';

export interface DecisionStatus {
	itemId: string;
	status: 'not_started' | 'in_progress' | 'done' | 'on_hold' | 'overdue';
}

export interface DecisionViewContext {
	units: { id: string; name: string }[];
	t: Translate;
	/** The tracked item's live status (only after finalization); never written into the document. */
	status: (blockId: string) => DecisionStatus | null;
	/** Board proposals a decision may approve. */
	proposals: { id: string; title: string; unitIds: string[]; dueDate: string }[];
	/** Registers a re-render for when statuses or editability change outside the document. */
	subscribe: (render: () => void) => () => void;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
	const node = document.createElement(tag);
	if (className) node.className = className;
	if (text !== undefined) node.textContent = text;
	return node;
}

/**
 * The decision block in the browser: a header (label, responsible units, due date, status)
 * that is not part of the editable text, a small form to set units and due date, and the
 * decision's rich text below it.
 */
export function decisionNodeView(ctx: DecisionViewContext): NodeViewRenderer {
	return ({ node, getPos, editor }) => {
		let current: PmNode = node;
		const dom = el('section', 'decision');
		dom.dataset.type = 'decision';
		const head = el('div', 'decision-head');
		head.contentEditable = 'false';
		const contentDOM = el('div', 'decision-body');
		dom.append(head, contentDOM);

		const setAttrs = (attrs: { units?: string; dueDate?: string; proposalId?: string }) => {
			const pos = typeof getPos === 'function' ? getPos() : undefined;
			if (typeof pos === 'number') (editor as Editor).commands.setDecisionAttrs(pos, attrs);
		};

		const render = () => {
			const id = (current.attrs.id as string | null) ?? '';
			const selected = parseUnits(current.attrs.units);
			const dueDate = (current.attrs.dueDate as string) ?? '';
			dom.id = id ? `decision-${id}` : '';
			dom.dataset.decisionId = id;
			head.replaceChildren();
			head.append(el('span', 'decision-label', ctx.t('decision.label')));
			const names = selected.map((u) => ctx.units.find((x) => x.id === u)?.name ?? ctx.t('decision.unknownUnitName'));
			const units = el('span', 'decision-units', names.length ? names.join('、') : ctx.t('decision.noUnitsYet'));
			units.dataset.testid = 'decision-units';
			head.append(el('span', 'decision-field', ctx.t('decision.units')), units);
			head.append(el('span', 'decision-field', ctx.t('decision.dueDate')), el('span', 'decision-due', dueDate || ctx.t('decision.noDueDateYet')));
			const proposalId = (current.attrs.proposalId as string) ?? '';
			if (proposalId) {
				const proposal = ctx.proposals.find((p) => p.id === proposalId);
				const link = el('span', 'decision-proposal', `${ctx.t('decision.proposal')}：${proposal?.title ?? ctx.t('decision.unknownProposalName')}`);
				link.dataset.testid = 'decision-proposal';
				head.append(link);
			}
			const status = id ? ctx.status(id) : null;
			if (status) {
				const chip = el('a', `decision-status status-${status.status}`, ctx.t(`project.status.${status.status}`));
				chip.href = `/projects/${status.itemId}`;
				chip.dataset.testid = 'decision-status';
				head.append(chip);
			}
			if (editor.isEditable) {
				const details = el('details', 'decision-edit');
				details.append(el('summary', undefined, ctx.t('decision.edit')));
				const fieldset = el('fieldset');
				fieldset.append(el('legend', undefined, ctx.t('decision.units')));
				if (ctx.units.length === 0) fieldset.append(el('p', 'muted', ctx.t('decision.noMemberUnits')));
				for (const unit of ctx.units) {
					const label = el('label', 'decision-unit');
					const box = el('input');
					box.type = 'checkbox';
					box.value = unit.id;
					box.checked = selected.includes(unit.id);
					box.addEventListener('change', () => {
						const next = ctx.units.filter((u) => (u.id === unit.id ? box.checked : selected.includes(u.id))).map((u) => u.id);
						setAttrs({ units: next.join(',') });
					});
					label.append(box, document.createTextNode(unit.name));
					fieldset.append(label);
				}
				const dateLabel = el('label', 'decision-date', ctx.t('decision.dueDate'));
				const date = el('input');
				date.type = 'date';
				date.value = dueDate;
				date.addEventListener('change', () => setAttrs({ dueDate: date.value }));
				dateLabel.append(date);
				const proposalLabel = el('label', 'decision-date', ctx.t('decision.proposal'));
				const select = el('select');
				select.append(new Option(ctx.t('decision.noProposal'), ''));
				for (const p of ctx.proposals) select.append(new Option(p.title, p.id, false, p.id === proposalId));
				select.addEventListener('change', () => {
					const chosen = ctx.proposals.find((p) => p.id === select.value);
					// Linking fills what the proposal already says, without overwriting what was set.
					setAttrs({
						proposalId: select.value,
						...(chosen && selected.length === 0 ? { units: chosen.unitIds.join(',') } : {}),
						...(chosen && !dueDate ? { dueDate: chosen.dueDate } : {})
					});
				});
				proposalLabel.append(select);
				details.append(fieldset, dateLabel, proposalLabel);
				head.append(details);
			}
		};
		render();
		const unsubscribe = ctx.subscribe(() => {
			const keepOpen = head.querySelector('details')?.open ?? false;
			render();
			const details = head.querySelector('details');
			if (details && keepOpen) details.open = true;
		});

		return {
			dom,
			contentDOM,
			update(next) {
				if (next.type !== current.type) return false;
				const keepOpen = head.querySelector('details')?.open ?? false;
				current = next;
				render();
				const details = head.querySelector('details');
				if (details && keepOpen) details.open = true;
				return true;
			},
			// The header's form is ours, not ProseMirror's.
			stopEvent: (event) => head.contains(event.target as Node),
			ignoreMutation: (mutation) => head.contains(mutation.target),
			destroy: unsubscribe
		};
	};
}
