import fs from 'node:fs';
const [file, target, depthArg] = process.argv.slice(2);
const depth = Number(depthArg ?? 6);
const p = JSON.parse(fs.readFileSync(file!, 'utf8'));
const byId = new Map<number, any>(); const parent = new Map<number, number>();
for (const n of p.nodes) byId.set(n.id, n);
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const dt = new Map<number, number>();
p.samples.forEach((s: number, i: number) => dt.set(s, (dt.get(s) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000));
const agg = new Map<string, number>();
for (const n of p.nodes) {
  if (n.callFrame.functionName !== target) continue;
  const t = dt.get(n.id) ?? 0; if (!t) continue;
  const chain: string[] = []; let cur = parent.get(n.id);
  while (cur !== undefined && chain.length < depth) { const c = byId.get(cur).callFrame; chain.push(`${c.functionName || '(anon)'}@${(c.url.split('/').pop() || '')}:${c.lineNumber}`); cur = parent.get(cur); }
  const k = chain.join(' < '); agg.set(k, (agg.get(k) ?? 0) + t);
}
for (const [k, v] of [...agg].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(v.toFixed(0), 'ms', k);
