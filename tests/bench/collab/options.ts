/** Command line of `npm run bench`: --quick, --runs N, --only <name>, --faults, --write/--no-write. */

export const SCENARIOS = ['latency', 'capacity', 'coldload', 'profile', 'faults'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface BenchOptions {
	quick: boolean;
	runs: number;
	only: Scenario | null;
	faults: boolean;
	write: boolean;
}

export function parseOptions(argv: string[]): BenchOptions {
	const options: BenchOptions = { quick: false, runs: 3, only: null, faults: false, write: true };
	let runsGiven = false;
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i]!;
		if (arg === '--quick') options.quick = true;
		else if (arg === '--faults') options.faults = true;
		else if (arg === '--write') options.write = true;
		else if (arg === '--no-write') options.write = false;
		else if (arg === '--runs') {
			options.runs = Number(argv[++i]);
			runsGiven = true;
			if (!Number.isInteger(options.runs) || options.runs < 1) throw new Error('--runs takes a whole number ≥ 1');
		} else if (arg === '--only') {
			const name = argv[++i] ?? '';
			if (!(SCENARIOS as readonly string[]).includes(name)) throw new Error(`--only takes one of ${SCENARIOS.join(', ')}`);
			options.only = name as Scenario;
		} else throw new Error(`unknown option ${arg} (known: --quick, --runs N, --only <${SCENARIOS.join('|')}>, --faults, --write, --no-write)`);
	}
	if (options.quick && !runsGiven) options.runs = 1;
	// A partial or smoke run must not overwrite the committed figures unless asked to.
	if ((options.quick || options.only) && !argv.includes('--write')) options.write = false;
	return options;
}

export function wants(options: BenchOptions, scenario: Scenario): boolean {
	if (scenario === 'faults') return options.faults || options.only === 'faults';
	return options.only === null || options.only === scenario;
}
