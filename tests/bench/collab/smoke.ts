import { latencyRun } from './latency';
import { startBareHocuspocus, startOurs, startYWebsocket } from './systems';
const which = process.argv[2] ?? 'hocuspocus';
const sys = which === 'ours' ? await startOurs() : which === 'ywebsocket' ? await startYWebsocket() : await startBareHocuspocus();
console.log(sys.label, (sys as { writers?: string[] }).writers);
const r = await latencyRun(sys, { key: "x", label: "x", docs: Number(process.argv[3] ?? 2), editors: Number(process.argv[4] ?? 5), charsPerSecond: 5 }, { warmupMs: 1000, measureMs: 3000, graceMs: 500, workers: 2 });
console.log(JSON.stringify(r));
await sys.stop();
