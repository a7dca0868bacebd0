import { sql } from 'drizzle-orm';
import {
	bigserial,
	boolean,
	check,
	customType,
	index,
	integer,
	jsonb,
	pgTable,
	text,
	timestamp,
	uniqueIndex,
	uuid
} from 'drizzle-orm/pg-core';

/** bytea as Uint8Array on both drivers (pg hands out Buffer, PGlite Uint8Array). */
export const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
	dataType: () => 'bytea',
	toDriver: (value) => value,
	fromDriver: (value) => (value instanceof Uint8Array ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength) : value)
});

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

export const districts = pgTable('districts', {
	id: uuid('id').primaryKey().defaultRandom(),
	name: text('name').notNull().unique(),
	createdAt: createdAt()
});

export const streets = pgTable(
	'streets',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		districtId: uuid('district_id')
			.notNull()
			.references(() => districts.id, { onDelete: 'restrict' }),
		name: text('name').notNull(),
		createdAt: createdAt()
	},
	(t) => [uniqueIndex('streets_district_name').on(t.districtId, t.name)]
);

export const communities = pgTable(
	'communities',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		streetId: uuid('street_id')
			.notNull()
			.references(() => streets.id, { onDelete: 'restrict' }),
		name: text('name').notNull(),
		createdAt: createdAt()
	},
	(t) => [uniqueIndex('communities_street_name').on(t.streetId, t.name)]
);

export const unitKinds = ['agency', 'school', 'hospital', 'enterprise', 'other'] as const;
export type UnitKind = (typeof unitKinds)[number];

export const units = pgTable(
	'units',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		districtId: uuid('district_id')
			.notNull()
			.references(() => districts.id, { onDelete: 'restrict' }),
		name: text('name').notNull(),
		kind: text('kind').$type<UnitKind>().notNull(),
		contactName: text('contact_name').notNull().default(''),
		contactPhone: text('contact_phone').notNull().default(''),
		createdAt: createdAt()
	},
	(t) => [
		uniqueIndex('units_district_name').on(t.districtId, t.name),
		check('units_kind', sql`${t.kind} in ('agency','school','hospital','enterprise','other')`)
	]
);

export const users = pgTable('users', {
	id: uuid('id').primaryKey().defaultRandom(),
	username: text('username').notNull().unique(),
	displayName: text('display_name').notNull(),
	passwordHash: text('password_hash').notNull(),
	isAdmin: boolean('is_admin').notNull().default(false),
	unitId: uuid('unit_id').references(() => units.id, { onDelete: 'set null' }),
	locale: text('locale').notNull().default('zh-CN'),
	createdAt: createdAt()
});

export const sessions = pgTable(
	'sessions',
	{
		id: text('id').primaryKey(),
		/** SHA-256 of the token's secret part; the token itself is never stored. */
		secretHash: bytea('secret_hash').notNull(),
		userId: uuid('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		createdAt: createdAt(),
		expiresAt: timestamp('expires_at', { withTimezone: true }).notNull()
	},
	(t) => [index('sessions_user').on(t.userId)]
);

/** Failed sign-in counters, per account and per client address, shared by all instances. */
export const loginThrottle = pgTable('login_throttle', {
	key: text('key').primaryKey(),
	failures: integer('failures').notNull(),
	windowStart: timestamp('window_start', { withTimezone: true }).notNull(),
	lockedUntil: timestamp('locked_until', { withTimezone: true })
});

export const committeeKinds = ['community', 'street'] as const;
/** community = 社区大党委, street = 街道大工委 */
export type CommitteeKind = (typeof committeeKinds)[number];

export const committees = pgTable(
	'committees',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		kind: text('kind').$type<CommitteeKind>().notNull(),
		name: text('name').notNull(),
		communityId: uuid('community_id').references(() => communities.id, { onDelete: 'restrict' }),
		streetId: uuid('street_id').references(() => streets.id, { onDelete: 'restrict' }),
		createdAt: createdAt()
	},
	(t) => [
		check(
			'committees_kind_scope',
			sql`(${t.kind} = 'community' and ${t.communityId} is not null and ${t.streetId} is null) or (${t.kind} = 'street' and ${t.streetId} is not null and ${t.communityId} is null)`
		),
		uniqueIndex('committees_community').on(t.communityId),
		uniqueIndex('committees_street').on(t.streetId),
		// The members CSV names committees by name, so a name must identify one committee.
		uniqueIndex('committees_name').on(t.name)
	]
);

export const committeeRoles = ['convener', 'recorder', 'member', 'part_time', 'observer'] as const;
export type CommitteeRole = (typeof committeeRoles)[number];

export const memberships = pgTable(
	'memberships',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		committeeId: uuid('committee_id')
			.notNull()
			.references(() => committees.id, { onDelete: 'cascade' }),
		userId: uuid('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		role: text('role').$type<CommitteeRole>().notNull(),
		unitId: uuid('unit_id').references(() => units.id, { onDelete: 'restrict' }),
		createdAt: createdAt()
	},
	(t) => [
		uniqueIndex('memberships_committee_user').on(t.committeeId, t.userId),
		index('memberships_user').on(t.userId),
		check('memberships_role', sql`${t.role} in ('convener','recorder','member','part_time','observer')`),
		check('memberships_part_time_unit', sql`${t.role} <> 'part_time' or ${t.unitId} is not null`)
	]
);

export const meetingKinds = ['regular', 'special'] as const;
export type MeetingKind = (typeof meetingKinds)[number];
export const meetingStates = ['scheduled', 'in_progress', 'review', 'finalized'] as const;
export type MeetingState = (typeof meetingStates)[number];

export const meetings = pgTable(
	'meetings',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		committeeId: uuid('committee_id')
			.notNull()
			.references(() => committees.id, { onDelete: 'restrict' }),
		title: text('title').notNull(),
		kind: text('kind').$type<MeetingKind>().notNull(),
		state: text('state').$type<MeetingState>().notNull().default('scheduled'),
		startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
		place: text('place').notNull().default(''),
		onlineLink: text('online_link').notNull().default(''),
		createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
		createdAt: createdAt()
	},
	(t) => [
		index('meetings_committee_starts').on(t.committeeId, t.startsAt),
		check('meetings_kind', sql`${t.kind} in ('regular','special')`),
		check('meetings_state', sql`${t.state} in ('scheduled','in_progress','review','finalized')`)
	]
);

/**
 * Append-only log of acknowledged Yjs updates. A row is written before the server applies
 * and acknowledges the update, so "acknowledged" means "stored".
 */
export const docUpdates = pgTable(
	'doc_updates',
	{
		id: bigserial('id', { mode: 'number' }).primaryKey(),
		docName: text('doc_name').notNull(),
		update: bytea('update').notNull(),
		createdAt: createdAt()
	},
	(t) => [index('doc_updates_doc').on(t.docName, t.id)]
);

/** Compacted state of a document: the merge of every log row already deleted. */
export const docSnapshots = pgTable('doc_snapshots', {
	docName: text('doc_name').primaryKey(),
	state: bytea('state').notNull(),
	updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
});

export const auditLog = pgTable(
	'audit_log',
	{
		id: bigserial('id', { mode: 'number' }).primaryKey(),
		at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
		actorId: uuid('actor_id').references(() => users.id, { onDelete: 'set null' }),
		action: text('action').notNull(),
		subject: text('subject').notNull(),
		details: jsonb('details').$type<Record<string, unknown>>().notNull().default({})
	},
	(t) => [index('audit_log_subject').on(t.subject)]
);
