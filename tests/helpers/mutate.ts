/*
 * Seeded byte-level mutation for the fuzz tests (updates in tests/unit/fuzzUpdates.test.ts,
 * protocol frames in tests/collab/socketFuzz.test.ts): the same inputs on every run and in CI.
 */

/** A deterministic generator: the same run every time (and in CI). */
export function rng(seed: number) {
	let s = seed >>> 0;
	return () => {
		s = (s + 0x6d2b79f5) >>> 0;
		let t = s;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** One to four edits: flipped bits, replaced bytes, truncation, inserted bytes, endless varints, repeated slices, trailing garbage, deleted slices. */
export function mutate(input: Uint8Array, random: () => number): Uint8Array {
	const bytes = Array.from(input);
	const edits = 1 + Math.floor(random() * 4);
	for (let e = 0; e < edits; e++) {
		const at = Math.floor(random() * (bytes.length + 1));
		switch (Math.floor(random() * 8)) {
			case 0:
				if (bytes.length) bytes[at % bytes.length]! ^= 1 << Math.floor(random() * 8);
				break;
			case 1:
				if (bytes.length) bytes[at % bytes.length] = Math.floor(random() * 256);
				break;
			case 2: // truncate
				bytes.length = at;
				break;
			case 3: // extend with random bytes
				bytes.splice(at, 0, ...Array.from({ length: 1 + Math.floor(random() * 8) }, () => Math.floor(random() * 256)));
				break;
			case 4: // a varint that never ends, or a huge length
				bytes.splice(at, 0, ...Array.from({ length: 2 + Math.floor(random() * 10) }, () => 0xff));
				break;
			case 5: // repeat a slice
				{
					const from = Math.floor(random() * (bytes.length + 1));
					bytes.splice(at, 0, ...bytes.slice(from, from + 1 + Math.floor(random() * 16)));
				}
				break;
			case 6: // append trailing garbage
				bytes.push(...Array.from({ length: 1 + Math.floor(random() * 32) }, () => Math.floor(random() * 256)));
				break;
			default:
				bytes.splice(at, 1 + Math.floor(random() * 8));
		}
	}
	return new Uint8Array(bytes);
}
