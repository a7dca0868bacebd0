import WebSocket from 'ws';

/*
 * The server child is started with --inspect on loopback (NODE_OPTIONS, no code change) so
 * the bench can ask V8 for a full garbage collection before reading heapUsed: differences of
 * heap sizes are only meaningful between collected heaps.
 */
export class Inspector {
	private nextId = 1;
	private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

	private constructor(private readonly ws: WebSocket) {
		ws.on('message', (data) => {
			const message = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: { message: string } };
			if (message.id === undefined) return;
			const waiter = this.pending.get(message.id);
			this.pending.delete(message.id);
			if (message.error) waiter?.reject(new Error(message.error.message));
			else waiter?.resolve(message.result);
		});
	}

	/** Connects to the inspector whose address the child printed ("Debugger listening on ws://…"). */
	static async fromOutput(output: string): Promise<Inspector> {
		const m = output.match(/Debugger listening on (ws:\/\/\S+)/);
		if (!m) throw new Error('the server was not started with --inspect');
		const ws = new WebSocket(m[1]!);
		await new Promise<void>((resolve, reject) => {
			ws.once('open', () => resolve());
			ws.once('error', reject);
		});
		return new Inspector(ws);
	}

	call(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
		const id = this.nextId++;
		return new Promise((resolve, reject) => {
			this.pending.set(id, { resolve, reject });
			this.ws.send(JSON.stringify({ id, method, params }));
		});
	}

	/** Two full collections: the first can leave weakly held objects for the second. */
	async collectGarbage(): Promise<void> {
		await this.call('HeapProfiler.enable');
		await this.call('HeapProfiler.collectGarbage');
		await this.call('HeapProfiler.collectGarbage');
		// An enabled heap profiler keeps tracking allocations; the server must run unobserved.
		await this.call('HeapProfiler.disable');
	}

	close(): void {
		this.ws.close();
	}
}
