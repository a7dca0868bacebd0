import { defineConfig } from 'vitest/config';

// Server-side tests import src/lib through relative paths, so they need no SvelteKit plugin.
export default defineConfig({
	test: {
		projects: [
			{ test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], environment: 'node', hookTimeout: 60_000 } },
			{
				test: {
					name: 'integration',
					include: ['tests/integration/**/*.test.ts'],
					environment: 'node',
					testTimeout: 60_000,
					hookTimeout: 60_000
				}
			},
			{
				test: {
					name: 'collab',
					include: ['tests/collab/**/*.test.ts'],
					globalSetup: ['tests/helpers/buildOnce.ts'],
					environment: 'node',
					testTimeout: 180_000,
					hookTimeout: 120_000,
					fileParallelism: false
				}
			},
			{
				test: {
					name: 'e2e',
					include: ['tests/e2e/**/*.test.ts'],
					globalSetup: ['tests/helpers/buildOnce.ts'],
					// A browser on a busy 2-core machine: give every polled expectation time.
					expect: { poll: { timeout: 10_000, interval: 100 } },
					environment: 'node',
					testTimeout: 180_000,
					hookTimeout: 180_000,
					fileParallelism: false
				}
			}
		]
	}
});
