import { sql } from 'drizzle-orm';
import {
	bigint,
	bigserial,
	boolean,
	check,
	customType,
	foreignKey,
	index,
	integer,
	jsonb,
	pgTable,
	primaryKey,
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
	/** Where notifications are emailed when SMTP is configured; empty: in-app only. */
	email: text('email').notNull().default(''),
	/** 'instant' | 'daily' | 'off': how notifications reach the email address. */
	emailMode: text('email_mode').notNull().default('instant'),
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
		/** Who sent it (null: the server, or rows written before this was recorded); for version authors. */
		userId: uuid('user_id'),
		createdAt: createdAt()
	},
	(t) => [index('doc_updates_doc').on(t.docName, t.id)]
);

/**
 * A live document that takes no writes (a finalized meeting's agenda and minutes, a frozen
 * bulletin). The database is the authority for every instance: a trigger on doc_updates skips
 * rows for a fenced document (migration 0013), so no instance can store, and acknowledge, an
 * edit that a freeze did not wait for.
 */
export const docFences = pgTable('doc_fences', {
	docName: text('doc_name').primaryKey(),
	fencedAt: timestamp('fenced_at', { withTimezone: true }).notNull().defaultNow()
});

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

export const attendanceStatuses = ['present', 'remote', 'absent', 'delegated'] as const;
export type AttendanceStatus = (typeof attendanceStatuses)[number];

/** Who attended a meeting and how; owned by the record (edited by the recorder), not by a document. */
export const attendance = pgTable(
	'attendance',
	{
		meetingId: uuid('meeting_id')
			.notNull()
			.references(() => meetings.id, { onDelete: 'cascade' }),
		userId: uuid('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		status: text('status').$type<AttendanceStatus>().notNull(),
		/** 请假 reason when absent. */
		reason: text('reason').notNull().default(''),
		/** The person a delegated member handed their vote to (委托). */
		delegateId: uuid('delegate_id').references(() => users.id, { onDelete: 'set null' }),
		updatedBy: uuid('updated_by').references(() => users.id, { onDelete: 'set null' }),
		updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		primaryKey({ columns: [t.meetingId, t.userId] }),
		check('attendance_status', sql`${t.status} in ('present','remote','absent','delegated')`),
		check('attendance_delegate', sql`${t.status} <> 'delegated' or ${t.delegateId} is not null`)
	]
);

/** Settings a committee keeps for its meetings. */
export const committeeSettings = pgTable(
	'committee_settings',
	{
		committeeId: uuid('committee_id')
			.primaryKey()
			.references(() => committees.id, { onDelete: 'cascade' }),
		/** Quorum: attendance must exceed this share of the members (0.5 = more than half). */
		quorumPercent: integer('quorum_percent').notNull().default(50),
		/** Observers (列席) may comment on the minutes while they are in review. */
		observersComment: boolean('observers_comment').notNull().default(false),
		/**
		 * Monthly progress reports on a month are due by this day of the following month (按月督查).
		 * 1–28 so that every month has the day; the pure window function still clamps.
		 */
		reportDay: integer('report_day').notNull().default(10),
		updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		check('committee_settings_quorum', sql`${t.quorumPercent} between 1 and 100`),
		check('committee_settings_report_day', sql`${t.reportDay} between 1 and 28`)
	]
);

/** The layout new minutes start from, per committee kind; the admin edits it. */
export const minutesTemplates = pgTable('minutes_templates', {
	committeeKind: text('committee_kind').$type<CommitteeKind>().primaryKey(),
	titlePattern: text('title_pattern').notNull(),
	closingText: text('closing_text').notNull().default(''),
	updatedBy: uuid('updated_by').references(() => users.id, { onDelete: 'set null' }),
	updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
});

/** Every finalization of a meeting's minutes, kept when the meeting is reopened and finalized again. */
export const minutesFinalizations = pgTable(
	'minutes_finalizations',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		meetingId: uuid('meeting_id')
			.notNull()
			.references(() => meetings.id, { onDelete: 'restrict' }),
		version: integer('version').notNull(),
		/** ProseMirror JSON of the minutes as finalized. */
		content: jsonb('content').$type<Record<string, unknown>>().notNull(),
		sha256: text('sha256').notNull(),
		finalizedBy: uuid('finalized_by').references(() => users.id, { onDelete: 'set null' }),
		finalizedAt: timestamp('finalized_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [uniqueIndex('minutes_finalizations_meeting_version').on(t.meetingId, t.version)]
);

/** A decision block of finalized minutes, projected from the document, keyed by the block's id. */
export const decisions = pgTable(
	'decisions',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		meetingId: uuid('meeting_id')
			.notNull()
			.references(() => meetings.id, { onDelete: 'restrict' }),
		blockId: text('block_id').notNull(),
		position: integer('position').notNull(),
		text: text('text').notNull(),
		content: jsonb('content').$type<Record<string, unknown>>().notNull(),
		dueDate: text('due_date'),
		updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [uniqueIndex('decisions_meeting_block').on(t.meetingId, t.blockId)]
);

export const projectLevels = ['district', 'street', 'community'] as const;
export type ProjectLevel = (typeof projectLevels)[number];
export const projectStatuses = ['not_started', 'in_progress', 'done', 'on_hold'] as const;
/** Stored statuses; "overdue" is derived from the due date, never stored. */
export type ProjectStatus = (typeof projectStatuses)[number];

/** A tracked piece of work: from a decision of finalized minutes (and, later, from board proposals). */
export const projectItems = pgTable(
	'project_items',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		committeeId: uuid('committee_id')
			.notNull()
			.references(() => committees.id, { onDelete: 'restrict' }),
		sourceMeetingId: uuid('source_meeting_id').references(() => meetings.id, { onDelete: 'restrict' }),
		sourceBlockId: text('source_block_id'),
		/** The board proposal the decision approved (one proposal, one item). */
		proposalId: text('proposal_id'),
		title: text('title').notNull(),
		decisionText: text('decision_text').notNull().default(''),
		level: text('level').$type<ProjectLevel>().notNull(),
		dueDate: text('due_date'),
		status: text('status').$type<ProjectStatus>().notNull().default('not_started'),
		progress: integer('progress').notNull().default(0),
		/** Why the item is on hold (搁置); required while status is on_hold, kept empty otherwise. */
		holdReason: text('hold_reason').notNull().default(''),
		/** China date (YYYY-MM-DD) the item was marked done; "done late" compares it with the due date. */
		doneOn: text('done_on'),
		/** Set when the decision it came from was removed on a later finalization; kept for history. */
		withdrawnAt: timestamp('withdrawn_at', { withTimezone: true }),
		createdAt: createdAt(),
		updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		uniqueIndex('project_items_source').on(t.sourceMeetingId, t.sourceBlockId),
		uniqueIndex('project_items_proposal').on(t.proposalId),
		index('project_items_committee').on(t.committeeId),
		check('project_items_level', sql`${t.level} in ('district','street','community')`),
		check('project_items_status', sql`${t.status} in ('not_started','in_progress','done','on_hold')`),
		check('project_items_progress', sql`${t.progress} between 0 and 100`),
		check('project_items_hold_reason', sql`${t.status} <> 'on_hold' or ${t.holdReason} <> ''`)
	]
);

export const projectItemUnits = pgTable(
	'project_item_units',
	{
		projectItemId: uuid('project_item_id')
			.notNull()
			.references(() => projectItems.id, { onDelete: 'cascade' }),
		unitId: uuid('unit_id')
			.notNull()
			.references(() => units.id, { onDelete: 'restrict' }),
		/** The unit's person in charge (责任人) for this item: a name as the unit gives it, not an account. */
		personName: text('person_name').notNull().default('')
	},
	(t) => [primaryKey({ columns: [t.projectItemId, t.unitId] })]
);

/** Projection of the need cards of the boards, keyed by card id; rebuilt from the document on every store. */
export const needs = pgTable(
	'needs',
	{
		id: text('id').primaryKey(),
		committeeId: uuid('committee_id')
			.notNull()
			.references(() => committees.id, { onDelete: 'cascade' }),
		year: integer('year').notNull(),
		position: integer('position').notNull(),
		title: text('title').notNull(),
		description: text('description').notNull(),
		place: text('place').notNull(),
		category: text('category').notNull(),
		source: text('source').notNull(),
		priority: text('priority').notNull(),
		status: text('status').notNull(),
		submittedBy: uuid('submitted_by').references(() => users.id, { onDelete: 'set null' }),
		archived: boolean('archived').notNull().default(false),
		/** Set when the card disappeared from the document; the row is kept. */
		deletedAt: timestamp('deleted_at', { withTimezone: true }),
		updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [index('needs_board').on(t.committeeId, t.year)]
);

/** Projection of the resource cards of the boards, keyed by card id. */
export const resources = pgTable(
	'resources',
	{
		id: text('id').primaryKey(),
		committeeId: uuid('committee_id')
			.notNull()
			.references(() => committees.id, { onDelete: 'cascade' }),
		year: integer('year').notNull(),
		position: integer('position').notNull(),
		unitId: uuid('unit_id').references(() => units.id, { onDelete: 'set null' }),
		type: text('type').notNull(),
		title: text('title').notNull(),
		description: text('description').notNull(),
		quantity: text('quantity').notNull(),
		availability: text('availability').notNull(),
		contact: text('contact').notNull(),
		status: text('status').notNull(),
		archived: boolean('archived').notNull().default(false),
		deletedAt: timestamp('deleted_at', { withTimezone: true }),
		updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [index('resources_board').on(t.committeeId, t.year), index('resources_unit').on(t.unitId)]
);

/** Proposals (matched needs and resources) as last projected from a board or put on an agenda. */
export const proposals = pgTable(
	'proposals',
	{
		id: text('id').primaryKey(),
		committeeId: uuid('committee_id')
			.notNull()
			.references(() => committees.id, { onDelete: 'cascade' }),
		year: integer('year').notNull(),
		title: text('title').notNull(),
		needIds: jsonb('need_ids').$type<string[]>().notNull().default([]),
		resourceIds: jsonb('resource_ids').$type<string[]>().notNull().default([]),
		unitIds: jsonb('unit_ids').$type<string[]>().notNull().default([]),
		level: text('level').$type<ProjectLevel>().notNull(),
		dueDate: text('due_date').notNull().default(''),
		status: text('status').notNull(),
		meetingId: uuid('meeting_id').references(() => meetings.id, { onDelete: 'set null' }),
		deletedAt: timestamp('deleted_at', { withTimezone: true }),
		updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [index('proposals_board').on(t.committeeId, t.year)]
);

/** The needs and resources a tracked item came from. */
export const projectItemSources = pgTable(
	'project_item_sources',
	{
		projectItemId: uuid('project_item_id')
			.notNull()
			.references(() => projectItems.id, { onDelete: 'cascade' }),
		kind: text('kind').$type<'need' | 'resource'>().notNull(),
		cardId: text('card_id').notNull()
	},
	(t) => [primaryKey({ columns: [t.projectItemId, t.kind, t.cardId] }), check('project_item_sources_kind', sql`${t.kind} in ('need','resource')`)]
);

/**
 * The need categories a district offers on its boards (editable per district). A district
 * without rows uses the built-in six; the first edit materialises them. Cards store `key`, so
 * renaming a category relabels every card and archiving one keeps old cards readable.
 */
export const needCategories = pgTable(
	'need_categories',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		districtId: uuid('district_id')
			.notNull()
			.references(() => districts.id, { onDelete: 'cascade' }),
		key: text('key').notNull(),
		labelZh: text('label_zh').notNull(),
		labelEn: text('label_en').notNull(),
		position: integer('position').notNull(),
		archived: boolean('archived').notNull().default(false),
		createdAt: createdAt()
	},
	(t) => [uniqueIndex('need_categories_key').on(t.districtId, t.key), uniqueIndex('need_categories_label_zh').on(t.districtId, t.labelZh)]
);

/**
 * One responsible unit's monthly progress report on one item (按月督查): one row per
 * (item, unit, month), amended in place. The unit may amend it until the month's reporting
 * window closes; afterwards only the convener or recorder may correct it (audited).
 */
export const progressReports = pgTable(
	'progress_reports',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		projectItemId: uuid('project_item_id')
			.notNull()
			.references(() => projectItems.id, { onDelete: 'cascade' }),
		unitId: uuid('unit_id')
			.notNull()
			.references(() => units.id, { onDelete: 'restrict' }),
		/** The month reported on, YYYY-MM. */
		month: text('month').notNull(),
		done: text('done').notNull(),
		progress: integer('progress').notNull(),
		problems: text('problems').notNull().default(''),
		/** 需协调事项: what the unit needs the committee to arrange. */
		helpNeeded: text('help_needed').notNull().default(''),
		submittedBy: uuid('submitted_by').references(() => users.id, { onDelete: 'set null' }),
		submittedAt: timestamp('submitted_at', { withTimezone: true }).notNull().defaultNow(),
		updatedBy: uuid('updated_by').references(() => users.id, { onDelete: 'set null' }),
		updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		uniqueIndex('progress_reports_item_unit_month').on(t.projectItemId, t.unitId, t.month),
		index('progress_reports_unit_month').on(t.unitId, t.month),
		check('progress_reports_month', sql`${t.month} ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'`),
		check('progress_reports_progress', sql`${t.progress} between 0 and 100`)
	]
);

export const attachmentMimeTypes = ['image/png', 'image/jpeg', 'image/webp', 'application/pdf'] as const;
export type AttachmentMimeType = (typeof attachmentMimeTypes)[number];

/**
 * Files attached to a progress report, kept in the database (bytea) rather than on disk: one
 * backup (pg_dump, or DATA_DIR for PGlite) covers everything, and several instances need no
 * shared file system. The size limit (5 MiB, 5 per report) keeps this reasonable.
 */
export const reportAttachments = pgTable(
	'report_attachments',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		reportId: uuid('report_id')
			.notNull()
			.references(() => progressReports.id, { onDelete: 'cascade' }),
		filename: text('filename').notNull(),
		mimeType: text('mime_type').$type<AttachmentMimeType>().notNull(),
		size: integer('size').notNull(),
		sha256: text('sha256').notNull(),
		data: bytea('data').notNull(),
		uploadedBy: uuid('uploaded_by').references(() => users.id, { onDelete: 'set null' }),
		createdAt: createdAt()
	},
	(t) => [
		index('report_attachments_report').on(t.reportId),
		check('report_attachments_mime', sql`${t.mimeType} in ('image/png','image/jpeg','image/webp','application/pdf')`),
		check('report_attachments_size', sql`${t.size} between 1 and 5242880`)
	]
);

export const claimStatuses = ['pending', 'confirmed', 'rejected'] as const;
export type ClaimStatus = (typeof claimStatuses)[number];

/** A member unit's claim (认领) of an item; the convener confirms (the unit becomes responsible) or rejects. */
export const projectItemClaims = pgTable(
	'project_item_claims',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		projectItemId: uuid('project_item_id')
			.notNull()
			.references(() => projectItems.id, { onDelete: 'cascade' }),
		unitId: uuid('unit_id')
			.notNull()
			.references(() => units.id, { onDelete: 'restrict' }),
		personName: text('person_name').notNull().default(''),
		note: text('note').notNull().default(''),
		status: text('status').$type<ClaimStatus>().notNull().default('pending'),
		claimedBy: uuid('claimed_by').references(() => users.id, { onDelete: 'set null' }),
		claimedAt: timestamp('claimed_at', { withTimezone: true }).notNull().defaultNow(),
		decidedBy: uuid('decided_by').references(() => users.id, { onDelete: 'set null' }),
		decidedAt: timestamp('decided_at', { withTimezone: true }),
		decisionReason: text('decision_reason').notNull().default('')
	},
	(t) => [
		// One open claim per unit and item; decided claims stay as history.
		uniqueIndex('project_item_claims_pending').on(t.projectItemId, t.unitId).where(sql`${t.status} = 'pending'`),
		check('project_item_claims_status', sql`${t.status} in ('pending','confirmed','rejected')`)
	]
);

// ---------------------------------------------------------------- asynchronous participation (issue 6)

/** Full-state snapshots of live documents (Yjs V2 updates), kept for history, diffs and restore. */
export const docVersions = pgTable(
	'doc_versions',
	{
		id: bigserial('id', { mode: 'number' }).primaryKey(),
		docName: text('doc_name').notNull(),
		/** 'state' (the meeting changed state), 'auto' (every N minutes of activity), 'manual', 'restore'. */
		reason: text('reason').notNull(),
		/** E.g. the meeting state entered, or the version restored. */
		label: text('label').notNull().default(''),
		state: bytea('state').notNull(),
		/** People whose edits are in this version and not in the previous one. */
		authorIds: jsonb('author_ids').$type<string[]>().notNull().default([]),
		createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
		createdAt: createdAt()
	},
	(t) => [index('doc_versions_doc').on(t.docName, t.id), check('doc_versions_reason', sql`${t.reason} in ('state','auto','manual','restore')`)]
);

/** The version of a document a person last looked at ("N changes since your last visit"). */
export const docSeen = pgTable(
	'doc_seen',
	{
		userId: uuid('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		docName: text('doc_name').notNull(),
		versionId: bigint('version_id', { mode: 'number' }).references(() => docVersions.id, { onDelete: 'set null' }),
		seenAt: timestamp('seen_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [primaryKey({ columns: [t.userId, t.docName] })]
);

/**
 * A comment thread, anchored to a range of the minutes (a mark carrying the thread id in the
 * document), to an agenda item or to a board card. Bodies, authors and resolution live here.
 */
export const commentThreads = pgTable(
	'comment_threads',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		committeeId: uuid('committee_id')
			.notNull()
			.references(() => committees.id, { onDelete: 'cascade' }),
		docName: text('doc_name').notNull(),
		/** 'text' (a mark in the minutes), 'agenda_item', 'card'. */
		anchorKind: text('anchor_kind').notNull(),
		/** The agenda item or card id; for 'text', empty (the mark carries the thread id). */
		anchorId: text('anchor_id').notNull().default(''),
		/** The text the thread was opened on, kept for when it is deleted ("detached"). */
		quote: text('quote').notNull().default(''),
		resolvedAt: timestamp('resolved_at', { withTimezone: true }),
		resolvedBy: uuid('resolved_by').references(() => users.id, { onDelete: 'set null' }),
		detachedAt: timestamp('detached_at', { withTimezone: true }),
		createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
		createdAt: createdAt()
	},
	(t) => [index('comment_threads_doc').on(t.docName), check('comment_threads_anchor', sql`${t.anchorKind} in ('text','agenda_item','card')`)]
);

export const comments = pgTable(
	'comments',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		threadId: uuid('thread_id')
			.notNull()
			.references(() => commentThreads.id, { onDelete: 'cascade' }),
		authorId: uuid('author_id').references(() => users.id, { onDelete: 'set null' }),
		body: text('body').notNull(),
		createdAt: createdAt(),
		editedAt: timestamp('edited_at', { withTimezone: true }),
		deletedAt: timestamp('deleted_at', { withTimezone: true })
	},
	(t) => [index('comments_thread').on(t.threadId, t.createdAt)]
);

export const commentMentions = pgTable(
	'comment_mentions',
	{
		commentId: uuid('comment_id')
			.notNull()
			.references(() => comments.id, { onDelete: 'cascade' }),
		userId: uuid('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' })
	},
	(t) => [primaryKey({ columns: [t.commentId, t.userId] })]
);

/** 书面意见: a written opinion on an agenda item, in a person's own name or their unit's. */
export const writtenOpinions = pgTable(
	'written_opinions',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		meetingId: uuid('meeting_id')
			.notNull()
			.references(() => meetings.id, { onDelete: 'cascade' }),
		agendaItemId: text('agenda_item_id').notNull(),
		authorId: uuid('author_id').references(() => users.id, { onDelete: 'set null' }),
		/** Set when given in the unit's name. */
		unitId: uuid('unit_id').references(() => units.id, { onDelete: 'set null' }),
		body: text('body').notNull(),
		createdAt: createdAt(),
		updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [index('written_opinions_meeting').on(t.meetingId, t.agendaItemId)]
);

/**
 * 确认 / 有异议 on the draft minutes in review, by a member unit (through any of its members) or a
 * standing member. Kept per finalization round: reopening starts a new round.
 */
export const minutesConfirmations = pgTable(
	'minutes_confirmations',
	{
		meetingId: uuid('meeting_id')
			.notNull()
			.references(() => meetings.id, { onDelete: 'cascade' }),
		/** Which review round (1 for the first review, +1 after each reopen). */
		round: integer('round').notNull().default(1),
		/** 'unit' or 'member'. */
		partyKind: text('party_kind').notNull(),
		/** The unit's or the member's id. */
		partyId: uuid('party_id').notNull(),
		/** 'confirmed' or 'objected'. */
		status: text('status').notNull(),
		reason: text('reason').notNull().default(''),
		/** The comment thread an objection opened. */
		threadId: uuid('thread_id').references(() => commentThreads.id, { onDelete: 'set null' }),
		answeredBy: uuid('answered_by').references(() => users.id, { onDelete: 'set null' }),
		answeredAt: timestamp('answered_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		primaryKey({ columns: [t.meetingId, t.round, t.partyKind, t.partyId] }),
		check('minutes_confirmations_party', sql`${t.partyKind} in ('unit','member')`),
		check('minutes_confirmations_status', sql`${t.status} in ('confirmed','objected')`),
		check('minutes_confirmations_reason', sql`${t.status} <> 'objected' or ${t.reason} <> ''`)
	]
);

/** The in-app inbox; email copies are sent from it when SMTP is configured. */
export const notifications = pgTable(
	'notifications',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		userId: uuid('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		/** 'mention', 'reply', 'review', 'decision', 'report_due'. */
		kind: text('kind').notNull(),
		/** Where it leads (a path in the app). */
		link: text('link').notNull(),
		/** What the message needs to be written in the reader's language. */
		params: jsonb('params').$type<Record<string, string | number>>().notNull().default({}),
		/** Same event twice (e.g. a report reminder on every start) is stored once. */
		dedupeKey: text('dedupe_key'),
		createdAt: createdAt(),
		readAt: timestamp('read_at', { withTimezone: true }),
		emailedAt: timestamp('emailed_at', { withTimezone: true })
	},
	(t) => [
		index('notifications_user').on(t.userId, t.createdAt),
		uniqueIndex('notifications_dedupe').on(t.userId, t.dedupeKey),
		check('notifications_kind', sql`${t.kind} in ('mention','reply','review','decision','report_due')`)
	]
);

const tsvector = customType<{ data: string; driverData: string }>({ dataType: () => 'tsvector' });

/**
 * The record (归档): one row per freezing of a finalized document — a meeting's minutes, a
 * quarterly bulletin — numbered per scope, series and year (〔2026〕第3号); freezing the same
 * thing again is a new version of the same number. The scope is the committee, or the district
 * for district-wide documents. Rows are append-only — a trigger refuses UPDATE, DELETE and
 * TRUNCATE — and `sha256` is over the canonical JSON of `body`, so a change made behind the
 * trigger's back is still detected. No foreign key may act on a record (no ON DELETE SET NULL):
 * that would be an update.
 */
export const records = pgTable(
	'records',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		/** The committee's id, or the district's for district-wide records: what numbers are counted in. */
		scopeId: uuid('scope_id').notNull(),
		districtId: uuid('district_id')
			.notNull()
			.references(() => districts.id, { onDelete: 'restrict' }),
		committeeId: uuid('committee_id').references(() => committees.id, { onDelete: 'restrict' }),
		meetingId: uuid('meeting_id').references(() => meetings.id, { onDelete: 'restrict' }),
		/** The numbering series: 'minutes' (纪要), 'bulletin' (督查通报), 'evaluation' (述职评议). */
		kind: text('kind').notNull(),
		/** What was frozen when it is not a meeting (a bulletin's id). */
		subjectId: uuid('subject_id'),
		year: integer('year').notNull(),
		seq: integer('seq').notNull(),
		version: integer('version').notNull(),
		body: jsonb('body').$type<Record<string, unknown>>().notNull(),
		sha256: text('sha256').notNull(),
		/** Denormalised from the body for listing; the body is what is hashed. */
		title: text('title').notNull(),
		finalizedAt: timestamp('finalized_at', { withTimezone: true }).notNull(),
		createdAt: createdAt()
	},
	(t) => [
		uniqueIndex('records_number_version').on(t.scopeId, t.kind, t.year, t.seq, t.version),
		index('records_meeting').on(t.meetingId),
		index('records_subject').on(t.subjectId),
		index('records_scope_year').on(t.scopeId, t.year),
		check('records_kind', sql`${t.kind} in ('minutes','bulletin','evaluation')`),
		check('records_scope', sql`${t.committeeId} is null or ${t.scopeId} = ${t.committeeId}`),
		check('records_positive', sql`${t.seq} > 0 and ${t.version} > 0`)
	]
);

/** The last number given in each scope's series and year: the row lock makes numbering gapless. */
export const recordCounters = pgTable(
	'record_counters',
	{
		scopeId: uuid('scope_id').notNull(),
		kind: text('kind').notNull(),
		year: integer('year').notNull(),
		last: integer('last').notNull()
	},
	(t) => [primaryKey({ columns: [t.scopeId, t.kind, t.year] })]
);

/**
 * Full-text search over records. PostgreSQL's parsers do not segment Chinese, so the terms are
 * built in the application (Han characters and their bigrams, other words whole) and stored as
 * a tsvector literal: the same on PGlite and PostgreSQL, whatever the server's locale.
 */
export const recordSearch = pgTable(
	'record_search',
	{
		recordId: uuid('record_id')
			.primaryKey()
			.references(() => records.id, { onDelete: 'restrict' }),
		text: text('text').notNull(),
		terms: tsvector('terms').notNull()
	},
	(t) => [index('record_search_terms').using('gin', t.terms)]
);

export const bulletinStates = ['draft', 'frozen'] as const;
export type BulletinState = (typeof bulletinStates)[number];

/**
 * A quarterly supervision bulletin (季度督查通报) of a committee, or of the whole district
 * (committee_id null). Its text is the live document bulletin/<scopeId>/<year>-Q<n>; the row
 * holds its lifecycle and when its figures were last generated.
 */
export const bulletins = pgTable(
	'bulletins',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		/** The committee's id, or the district's for a district-wide bulletin. */
		scopeId: uuid('scope_id').notNull(),
		districtId: uuid('district_id')
			.notNull()
			.references(() => districts.id, { onDelete: 'restrict' }),
		committeeId: uuid('committee_id').references(() => committees.id, { onDelete: 'restrict' }),
		year: integer('year').notNull(),
		quarter: integer('quarter').notNull(),
		state: text('state').$type<BulletinState>().notNull().default('draft'),
		/** The China date the figures are as of. */
		figuresAsOf: text('figures_as_of').notNull(),
		figuresAt: timestamp('figures_at', { withTimezone: true }).notNull().defaultNow(),
		createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
		createdAt: createdAt()
	},
	(t) => [
		uniqueIndex('bulletins_scope_quarter').on(t.scopeId, t.year, t.quarter),
		check('bulletins_quarter', sql`${t.quarter} between 1 and 4`),
		check('bulletins_state', sql`${t.state} in ('draft','frozen')`),
		check('bulletins_scope', sql`${t.committeeId} is null or ${t.scopeId} = ${t.committeeId}`)
	]
);
// ---------------------------------------------------------------- year-end evaluation (issue 8)

/** One criterion of an evaluation round: its label and the highest score it takes (0 … max, whole points). */
export interface EvaluationCriterion {
	label: string;
	max: number;
}

/**
 * A year-end evaluation (年终述职评议) of a committee: the units report on their projects at a
 * community meeting and the people present score them. The criteria are frozen once a score
 * exists (scores are stored in criteria order). `state` records only the convener's closing:
 * whether the round takes scores at a moment is `state` and the window together.
 */
export const evaluationRounds = pgTable(
	'evaluation_rounds',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		committeeId: uuid('committee_id')
			.notNull()
			.references(() => committees.id, { onDelete: 'restrict' }),
		year: integer('year').notNull(),
		title: text('title').notNull(),
		criteria: jsonb('criteria').$type<EvaluationCriterion[]>().notNull(),
		opensAt: timestamp('opens_at', { withTimezone: true }).notNull(),
		closesAt: timestamp('closes_at', { withTimezone: true }).notNull(),
		/** 'open' (takes scores inside its window) or 'closed' (closed by the convener). */
		state: text('state').notNull().default('open'),
		createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
		createdAt: createdAt(),
		updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		index('evaluation_rounds_committee').on(t.committeeId, t.year),
		check('evaluation_rounds_state', sql`${t.state} in ('open','closed')`),
		check('evaluation_rounds_window', sql`${t.closesAt} > ${t.opensAt}`),
		check('evaluation_rounds_year', sql`${t.year} between 2000 and 2100`)
	]
);

/** The project items a round scores, in the order they are presented. */
export const evaluationRoundItems = pgTable(
	'evaluation_round_items',
	{
		roundId: uuid('round_id')
			.notNull()
			.references(() => evaluationRounds.id, { onDelete: 'cascade' }),
		projectItemId: uuid('project_item_id')
			.notNull()
			.references(() => projectItems.id, { onDelete: 'restrict' }),
		position: integer('position').notNull()
	},
	(t) => [primaryKey({ columns: [t.roundId, t.projectItemId] })]
);

/**
 * One-time scoring links (评议链接), handed out on paper as QR codes. Only the SHA-256 of the
 * 128-bit random token is kept, so the table cannot be turned back into working links; the
 * serial number is what is printed next to the code. A link names nobody.
 */
export const evaluationLinks = pgTable(
	'evaluation_links',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		roundId: uuid('round_id')
			.notNull()
			.references(() => evaluationRounds.id, { onDelete: 'cascade' }),
		serial: integer('serial').notNull(),
		tokenHash: bytea('token_hash').notNull(),
		createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
		createdAt: createdAt()
	},
	(t) => [uniqueIndex('evaluation_links_token').on(t.tokenHash), uniqueIndex('evaluation_links_serial').on(t.roundId, t.serial)]
);

/**
 * A score of one project in a round, given through a link (anonymous: no address, agent or
 * person is kept) or by a signed-in member. The unique indexes, not a prior look-up, make
 * "once per link and project" and "once per member and project" hold under concurrent posts.
 * A member's score keeps the member from being deleted (restrict), since set-null would
 * leave a score that is neither a link's nor a person's.
 */
export const evaluationScores = pgTable(
	'evaluation_scores',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		roundId: uuid('round_id')
			.notNull()
			.references(() => evaluationRounds.id, { onDelete: 'cascade' }),
		projectItemId: uuid('project_item_id').notNull(),
		linkId: uuid('link_id').references(() => evaluationLinks.id, { onDelete: 'cascade' }),
		userId: uuid('user_id').references(() => users.id, { onDelete: 'restrict' }),
		/** Points per criterion, in the round's criteria order. */
		scores: jsonb('scores').$type<number[]>().notNull(),
		total: integer('total').notNull(),
		comment: text('comment').notNull().default(''),
		createdAt: createdAt()
	},
	(t) => [
		// Scores only projects of their round.
		foreignKey({ name: 'evaluation_scores_round_item_fk', columns: [t.roundId, t.projectItemId], foreignColumns: [evaluationRoundItems.roundId, evaluationRoundItems.projectItemId] }).onDelete('cascade'),
		uniqueIndex('evaluation_scores_link_item').on(t.linkId, t.projectItemId),
		uniqueIndex('evaluation_scores_user_item').on(t.roundId, t.projectItemId, t.userId),
		index('evaluation_scores_round').on(t.roundId, t.projectItemId),
		check('evaluation_scores_by', sql`(${t.linkId} is null) <> (${t.userId} is null)`),
		check('evaluation_scores_total', sql`${t.total} >= 0`),
		check('evaluation_scores_comment', sql`char_length(${t.comment}) <= 500`)
	]
);

/**
 * Fixed-window counters of anonymous submissions (scores by link), per client address and per
 * link, in the database so that every instance counts the same submissions.
 */
export const submissionThrottle = pgTable(
	'submission_throttle',
	{
		key: text('key').primaryKey(),
		hits: integer('hits').notNull(),
		windowStart: timestamp('window_start', { withTimezone: true }).notNull()
	},
	(t) => [index('submission_throttle_window').on(t.windowStart)]
);

/**
 * Log rows that made their document fail to load (an update that slipped past validation),
 * moved here by DocStore's repair so the document loads and saves again; kept for inspection.
 */
export const docQuarantine = pgTable(
	'doc_quarantine',
	{
		id: bigserial('id', { mode: 'number' }).primaryKey(),
		docName: text('doc_name').notNull(),
		update: bytea('update').notNull(),
		userId: uuid('user_id'),
		reason: text('reason').notNull(),
		loggedAt: timestamp('logged_at', { withTimezone: true }).notNull(),
		quarantinedAt: timestamp('quarantined_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [index('doc_quarantine_doc').on(t.docName)]
);
