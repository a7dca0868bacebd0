import { defineConfig } from 'drizzle-kit';

// One schema and one migrations folder serve PostgreSQL and embedded PGlite alike.
export default defineConfig({
	dialect: 'postgresql',
	schema: './src/lib/server/db/schema.ts',
	out: './migrations'
});
