/*
 * Messages between the bench (parent) and its client worker processes. Workers are separate
 * processes so that the server under test never shares an event loop or a core budget with
 * the clients that drive it, and clients of one document share one clock (latency is
 * measured inside a worker: the editor and the observer see the same performance.now()).
 */

export const SYSTEMS = ['ours', 'hocuspocus', 'ywebsocket'] as const;
export type SystemName = (typeof SYSTEMS)[number];

/** One document and the clients a worker opens on it. `tokens[i]` authenticates client i (null: no auth). */
export interface DocPlan {
	name: string;
	tokens: (string | null)[];
	/** Only open and sync (no paragraph is laid out, nobody types): idle documents such as agendas. */
	passive?: boolean;
}

export type ToWorker =
	| { type: 'connect'; system: SystemName; url: string; docs: DocPlan[]; connectConcurrency: number }
	| {
			type: 'type';
			/** Clients 0..typists-1 of every document type; client 0 also observes the others. */
			typists: number;
			charsPerSecond: number;
			warmupMs: number;
			measureMs: number;
			/** Wait this long after the window for late observations before counting losses. */
			graceMs: number;
	  }
	| { type: 'close' };

export interface TypeResult {
	/** Keystroke → remote observation, milliseconds, for edits sent inside the window. */
	latencies: number[];
	/** Keystrokes typed in all (warm-up included), to check the offered rate. */
	keystrokes: number;
	/** Edits sent inside the window. */
	sent: number;
	/** Edits sent inside the window and never observed by the document's observer. */
	lost: number;
	/** CPU of this worker over warmup + window, microseconds (process.cpuUsage). */
	cpuMicros: number;
	wallMs: number;
}

export type FromWorker =
	| { type: 'connected'; clients: number; readOnly: number; ms: number }
	| { type: 'typed'; result: TypeResult }
	| { type: 'closed' }
	| { type: 'error'; message: string };
