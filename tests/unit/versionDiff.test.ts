import { describe, expect, it } from 'vitest';
import { diffBlocks, diffItems, diffSequences, diffText, tokenize } from '../../src/lib/docs/versionDiff';

describe('version diffs', () => {
	it('tokenizes Chinese per character and latin text per word', () => {
		expect(tokenize('三号楼AB单元 lift, 12台')).toEqual(['三', '号', '楼', 'AB', '单', '元', ' ', 'lift', ',', ' ', '12', '台']);
	});

	it('finds a shortest edit script', () => {
		const script = diffSequences([...'abcabba'], [...'cbabac']);
		expect(script.filter((e) => e.op !== 'eq')).toHaveLength(5);
		expect(script.filter((e) => e.op !== 'del').map((e) => e.item).join('')).toBe('cbabac');
		expect(script.filter((e) => e.op !== 'ins').map((e) => e.item).join('')).toBe('abcabba');
	});

	it('reports insertions and deletions inside a block as runs', () => {
		expect(diffText('会议由书记主持。', '会议由副书记主持，全体出席。')).toEqual([
			{ op: 'eq', text: '会议由' },
			{ op: 'ins', text: '副' },
			{ op: 'eq', text: '书记主持' },
			{ op: 'ins', text: '，全体出席' },
			{ op: 'eq', text: '。' }
		]);
	});

	it('aligns blocks first: unchanged blocks stay whole, new and removed blocks are whole changes', () => {
		const diff = diffBlocks(['标题', '第一段', '要删的段', '结尾'], ['标题', '第一段改', '新段落', '结尾']);
		expect(diff.blocks.map((b) => b.kind)).toEqual(['same', 'changed', 'changed', 'same']);
		expect(diffBlocks(['a'], ['a', '']).changes).toBe(1);
		expect(diffBlocks(['a', 'b'], ['a', 'b']).changes).toBe(0);
	});

	it('lists items added, changed (with the fields) and removed', () => {
		const before = [
			{ id: '1', title: '甲', notes: 'x' },
			{ id: '2', title: '乙', notes: '' }
		];
		const after = [
			{ id: '1', title: '甲', notes: 'y' },
			{ id: '3', title: '丙', notes: '' }
		];
		expect(diffItems(before, after)).toEqual([
			{ id: '1', kind: 'changed', title: '甲', fields: ['notes'] },
			{ id: '3', kind: 'added', title: '丙', fields: [] },
			{ id: '2', kind: 'removed', title: '乙', fields: [] }
		]);
	});
});
