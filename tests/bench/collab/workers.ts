import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { track } from './systems';
import type { DocPlan, FromWorker, SystemName, ToWorker, TypeResult } from './protocol';

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'client', 'worker.ts');

/** A worker process and a way to wait for its next answer of a given type. */
class Worker {
	private readonly waiting: { type: FromWorker['type']; resolve: (m: FromWorker) => void; reject: (e: Error) => void }[] = [];
	readonly exited: Promise<number | null>;

	constructor(readonly child: ChildProcess) {
		child.on('message', (m: FromWorker) => {
			if (m.type === 'error') {
				for (const w of this.waiting.splice(0)) w.reject(new Error(`client worker ${child.pid}: ${m.message}`));
				return;
			}
			const i = this.waiting.findIndex((w) => w.type === m.type);
			if (i >= 0) this.waiting.splice(i, 1)[0]!.resolve(m);
		});
		this.exited = new Promise((resolve) =>
			child.on('exit', (code) => {
				for (const w of this.waiting.splice(0)) w.reject(new Error(`client worker ${child.pid} exited with ${code}`));
				resolve(code);
			})
		);
	}

	ask<T extends FromWorker['type']>(message: ToWorker, answer: T): Promise<Extract<FromWorker, { type: T }>> {
		return new Promise((resolve, reject) => {
			this.waiting.push({ type: answer, resolve: (m) => resolve(m as Extract<FromWorker, { type: T }>), reject });
			this.child.send(message);
		});
	}
}

export interface Connected {
	clients: number;
	readOnly: number;
	ms: number;
}

/**
 * Client worker processes. Documents are dealt round-robin, whole: all clients of a document
 * live in one worker, so its observer shares the editors' clock.
 */
export class WorkerPool {
	private constructor(private readonly workers: Worker[]) {}

	static start(count: number): WorkerPool {
		const workers = Array.from({ length: count }, () => {
			const child = fork(WORKER, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
			track(child);
			return new Worker(child);
		});
		return new WorkerPool(workers);
	}

	pids(): number[] {
		return this.workers.map((w) => w.child.pid ?? -1);
	}

	async connect(system: SystemName, url: string, docs: DocPlan[], connectConcurrency = 8): Promise<Connected> {
		const shares = this.workers.map(() => [] as DocPlan[]);
		docs.forEach((d, i) => shares[i % shares.length]!.push(d));
		const answers = await Promise.all(this.workers.map((w, i) => w.ask({ type: 'connect', system, url, docs: shares[i]!, connectConcurrency }, 'connected')));
		return {
			clients: answers.reduce((s, a) => s + a.clients, 0),
			readOnly: answers.reduce((s, a) => s + a.readOnly, 0),
			ms: Math.max(...answers.map((a) => a.ms))
		};
	}

	async type(options: { typists: number; charsPerSecond: number; warmupMs: number; measureMs: number; graceMs: number }): Promise<TypeResult[]> {
		const answers = await Promise.all(this.workers.map((w) => w.ask({ type: 'type', ...options }, 'typed')));
		return answers.map((a) => a.result);
	}

	/** Closes every client, then ends the processes. */
	async close(): Promise<void> {
		await Promise.all(
			this.workers.map(async (w) => {
				if (w.child.exitCode === null) {
					await w.ask({ type: 'close' }, 'closed').catch((err: unknown) => console.error('[bench] closing a client worker:', err));
					w.child.kill('SIGTERM');
				}
				await w.exited;
			})
		);
	}
}
