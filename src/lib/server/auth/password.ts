import { hash, verify } from '@node-rs/argon2';

// OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane); @node-rs/argon2 defaults to argon2id.
const OPTIONS = { memoryCost: 19456, timeCost: 2, outputLen: 32, parallelism: 1 } as const;

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

export function hashPassword(password: string): Promise<string> {
	return hash(password, OPTIONS);
}

export async function verifyPassword(hashed: string, password: string): Promise<boolean> {
	try {
		return await verify(hashed, password);
	} catch (err) {
		// A malformed stored hash is a data problem, not a wrong password: say so in the log.
		console.error('[auth] could not verify a password hash:', (err as Error).message);
		return false;
	}
}

/** null when acceptable, otherwise the message key explaining why not. */
export function passwordProblem(password: string): 'password.tooShort' | 'password.tooLong' | null {
	if (password.length < PASSWORD_MIN) return 'password.tooShort';
	if (password.length > PASSWORD_MAX) return 'password.tooLong';
	return null;
}
