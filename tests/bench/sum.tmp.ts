import { summariseProfile } from './collab/profile';
const p = summariseProfile(process.argv[2]!, 30);
console.log('total', p.totalMs.toFixed(0), 'busy', p.busyMs.toFixed(0));
console.log(JSON.stringify(p.groups ?? {}, null, 0));
for (const f of (p as any).top) console.log('self', f.fn, f.where ?? f.group ?? '', f.ms?.toFixed?.(0), ((f.share ?? 0) * 100).toFixed(1));
for (const f of (p as any).inclusive) console.log('incl', f.fn, f.ms.toFixed(0), (f.share * 100).toFixed(1));
