import { inArray } from 'drizzle-orm';
import type { Db, DbOrTx } from './db';
import { auditLog, committees, communities, districts, meetings, memberships, streets, units, users, type UnitKind } from './db/schema';
import type { CommitteeRole } from '../domain/roles';
import { hashPassword } from './auth/password';

/*
 * A fictional district shaped like the real programme ("双结双联": 87 units paired with 10
 * communities under 3 subdistricts), so that a fresh install has something to show and the
 * end-to-end tests have realistic volumes. Every name is invented.
 */

export const DEMO_DISTRICT = '青川区';
export const DEMO_PASSWORD = 'demo-password';

export interface DemoAccount {
	username: string;
	displayName: string;
	role: CommitteeRole;
	committee: string;
}

export interface DemoAccounts {
	password: string;
	accounts: DemoAccount[];
}

const STREETS: { name: string; communities: string[] }[] = [
	{ name: '临江街道', communities: ['滨江社区', '望江社区', '柳岸社区', '码头社区'] },
	{ name: '桂香街道', communities: ['桂园社区', '丹桂社区', '书香社区'] },
	{ name: '北苑街道', communities: ['北苑社区', '新苑社区', '枫林社区'] }
];

const UNIT_NAMES: Record<UnitKind, string[]> = {
	agency: [
		'民政局', '住房和城乡建设局', '卫生健康局', '教育局', '人力资源和社会保障局', '市场监督管理局', '司法局', '城市管理局',
		'财政局', '文化和旅游局', '科学技术局', '应急管理局', '退役军人事务局', '医疗保障局', '统计局', '审计局', '商务局',
		'农业农村局', '水利局', '交通运输局', '发展和改革局', '生态环境分局', '自然资源和规划分局', '公安分局临江派出所',
		'公安分局桂香派出所', '公安分局北苑派出所', '消防救援大队', '税务局', '总工会', '团区委', '妇女联合会', '科学技术协会',
		'残疾人联合会', '档案馆'
	].map((n) => `青川区${n}`),
	school: [
		'实验小学', '滨江小学', '桂香小学', '北苑小学', '梧桐路小学', '育才小学', '第一中学', '第二中学', '第三中学', '明德中学',
		'外国语学校', '实验中学', '第一幼儿园', '第二幼儿园', '机关幼儿园', '职业技术学校', '特殊教育学校', '社区学院'
	].map((n) => `青川区${n}`),
	hospital: [
		'青川区人民医院', '青川区中医院', '青川区妇幼保健院', '青川区第二人民医院', '青川区口腔医院', '青川区精神卫生中心',
		'青川区康复医院', '临江街道社区卫生服务中心', '桂香街道社区卫生服务中心', '北苑街道社区卫生服务中心', '青川区急救中心',
		'青川区眼科医院'
	],
	enterprise: [
		'青川城市建设投资集团有限公司', '青川水务集团有限公司', '国网青川供电公司', '青川燃气有限公司', '中国工商银行青川支行',
		'中国建设银行青川支行', '青川农村商业银行', '中国邮政青川分公司', '中国移动青川分公司', '中国电信青川分公司',
		'青川公交集团有限公司', '青川安居物业服务有限公司', '青川文化旅游发展有限公司', '青川国有资产经营有限公司',
		'青川环境卫生服务有限公司', '青川智慧城市科技有限公司', '青川百货集团有限公司', '青川建工集团有限公司'
	],
	other: ['青川区律师协会', '青川区工商业联合会', '青川区红十字会', '青川区慈善总会', '青川区志愿者协会']
};

/** Leaders of district units sit in each street's 大工委 as part-time members (about 22 in all). */
const STREET_LEADER_SEATS = [7, 7, 7];
const MEMBERS_PER_COMMITTEE = 3;

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏付方邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔汤';
const GIVEN = '建国明华丽娟伟芳敏静军强磊洋艳勇杰娜涛超秀英霞平刚桂兰志红玉梅文斌海燕鹏飞晓东云峰宇辉佳琪雪琳晨阳浩然思远子涵欣怡俊杰';

/** Deterministic, so every demo install shows the same people. */
class NameMaker {
	private state = 20_240_101;
	private readonly used = new Set<string>();

	private next(n: number): number {
		this.state = (this.state * 1_103_515_245 + 12_345) % 2_147_483_648;
		return this.state % n;
	}

	private pick(chars: string): string {
		return [...chars][this.next([...chars].length)] ?? '';
	}

	person(): string {
		for (;;) {
			const twoChars = this.next(3) > 0;
			const name = this.pick(SURNAMES) + this.pick(GIVEN) + (twoChars ? this.pick(GIVEN) : '');
			if (!this.used.has(name)) {
				this.used.add(name);
				return name;
			}
		}
	}
}

interface PlannedUnit {
	name: string;
	kind: UnitKind;
	contactName: string;
	contactPhone: string;
	community: string;
}
interface PlannedPerson {
	username: string;
	displayName: string;
	unit: string | null;
}
interface PlannedSeat {
	committee: string;
	username: string;
	role: CommitteeRole;
	unit: string | null;
}
interface PlannedCommittee {
	name: string;
	kind: 'community' | 'street';
	scope: string;
}
interface Plan {
	units: PlannedUnit[];
	committees: PlannedCommittee[];
	people: PlannedPerson[];
	seats: PlannedSeat[];
}

const two = (n: number) => String(n).padStart(2, '0');
const three = (n: number) => String(n).padStart(3, '0');

function planUnits(names: NameMaker): PlannedUnit[] {
	const all = (Object.entries(UNIT_NAMES) as [UnitKind, string[]][]).flatMap(([kind, list]) => list.map((name) => ({ name, kind })));
	const communityNames = STREETS.flatMap((s) => s.communities);
	// Round robin, so every community is paired with a mix of agencies, schools and hospitals.
	return all.map((u, i) => ({
		...u,
		contactName: names.person(),
		contactPhone: `8860 ${String(1001 + i * 7).padStart(4, '0')}`,
		community: communityNames[i % communityNames.length] ?? ''
	}));
}

/** The first community's seats use the demo accounts' short usernames. */
function communityUsername(index: number, role: string): string {
	const demo: Record<string, string> = { convener: 'convener', recorder: 'recorder', member1: 'member', observer: 'observer' };
	return index === 0 && demo[role] ? demo[role] : `c${two(index + 1)}.${role}`;
}

function deputyUsername(unitIndex: number): string {
	return unitIndex === 0 ? 'parttime' : `u${three(unitIndex + 1)}.deputy`;
}

function planCommittee(plan: Plan, names: NameMaker, committee: string, usernameFor: (role: string) => string): void {
	const core: [string, CommitteeRole][] = [['convener', 'convener'], ['recorder', 'recorder']];
	for (let m = 1; m <= MEMBERS_PER_COMMITTEE; m++) core.push([`member${m}`, 'member']);
	core.push(['observer', 'observer']);
	for (const [slot, role] of core) {
		const username = usernameFor(slot);
		plan.people.push({ username, displayName: names.person(), unit: null });
		plan.seats.push({ committee, username, role, unit: null });
	}
}

function buildPlan(): Plan {
	const names = new NameMaker();
	const plan: Plan = { units: planUnits(names), committees: [], people: [], seats: [] };
	plan.units.forEach((unit, i) => plan.people.push({ username: deputyUsername(i), displayName: names.person(), unit: unit.name }));
	STREETS.forEach((street, s) => {
		const streetCommittee = `${street.name}大工委`;
		plan.committees.push({ name: streetCommittee, kind: 'street', scope: street.name });
		planCommittee(plan, names, streetCommittee, (slot) => `s${s + 1}.${slot}`);
		const paired = plan.units.map((u, i) => ({ ...u, i })).filter((u) => street.communities.includes(u.community));
		if (s === 0) plan.seats.push({ committee: streetCommittee, username: 'parttime', role: 'part_time', unit: plan.units[0]?.name ?? null });
		for (const unit of paired.filter((u) => u.i !== 0).slice(0, STREET_LEADER_SEATS[s] ?? 0)) {
			const username = `u${three(unit.i + 1)}.leader`;
			plan.people.push({ username, displayName: names.person(), unit: unit.name });
			plan.seats.push({ committee: streetCommittee, username, role: 'part_time', unit: unit.name });
		}
	});
	STREETS.flatMap((s) => s.communities.map((c) => ({ community: c, street: s.name }))).forEach(({ community }, c) => {
		const committee = `${community}大党委`;
		plan.committees.push({ name: committee, kind: 'community', scope: community });
		planCommittee(plan, names, committee, (slot) => communityUsername(c, slot));
		plan.units.forEach((unit, i) => {
			if (unit.community === community) plan.seats.push({ committee, username: deputyUsername(i), role: 'part_time', unit: unit.name });
		});
	});
	return plan;
}

function demoAccounts(plan: Plan): DemoAccount[] {
	const firstCommunity = `${STREETS[0]?.communities[0] ?? ''}大党委`;
	const firstStreet = `${STREETS[0]?.name ?? ''}大工委`;
	const displayName = (username: string) => plan.people.find((p) => p.username === username)?.displayName ?? username;
	const account = (username: string, role: CommitteeRole, committee = firstCommunity): DemoAccount => ({ username, displayName: displayName(username), role, committee });
	return [
		account('convener', 'convener'),
		account('recorder', 'recorder'),
		account('member', 'member'),
		account('parttime', 'part_time', `${firstCommunity}、${firstStreet}`),
		account('observer', 'observer'),
		account('s1.convener', 'convener', firstStreet)
	];
}

/** 09:30 China Standard Time, `days` from today: committees meet in the morning, in China. */
function meetingTime(now: Date, days: number): Date {
	const cst = new Date(now.getTime() + 8 * 3_600_000 + days * 86_400_000);
	return new Date(Date.UTC(cst.getUTCFullYear(), cst.getUTCMonth(), cst.getUTCDate(), 1, 30));
}

function byName<T extends { name: string; id: string }>(rows: T[]): Map<string, string> {
	return new Map(rows.map((r) => [r.name, r.id]));
}

function idOf(map: Map<string, string>, name: string | null): string {
	const id = name === null ? undefined : map.get(name);
	if (!id) throw new Error(`seed: "${name}" was planned but not inserted`);
	return id;
}

async function assertUsernamesFree(tx: DbOrTx, usernames: string[]): Promise<void> {
	const taken = await tx.select({ username: users.username }).from(users).where(inArray(users.username, usernames));
	// Attaching someone's real account to a fictional committee would be worse than not seeding.
	if (taken.length > 0) throw new Error(`seed: cannot create the demo district, usernames already in use: ${taken.map((t) => t.username).join(', ')}`);
}

async function insertOrganisation(tx: DbOrTx, districtId: string, plan: Plan) {
	const streetIds = byName(await tx.insert(streets).values(STREETS.map((s) => ({ districtId, name: s.name }))).returning({ id: streets.id, name: streets.name }));
	const communityRows = STREETS.flatMap((s) => s.communities.map((name) => ({ streetId: idOf(streetIds, s.name), name })));
	const communityIds = byName(await tx.insert(communities).values(communityRows).returning({ id: communities.id, name: communities.name }));
	const unitRows = plan.units.map((u) => ({ districtId, name: u.name, kind: u.kind, contactName: u.contactName, contactPhone: u.contactPhone }));
	const unitIds = byName(await tx.insert(units).values(unitRows).returning({ id: units.id, name: units.name }));
	const committeeRows = plan.committees.map((c) =>
		c.kind === 'street'
			? { kind: c.kind, name: c.name, streetId: idOf(streetIds, c.scope), communityId: null }
			: { kind: c.kind, name: c.name, streetId: null, communityId: idOf(communityIds, c.scope) }
	);
	const committeeIds = byName(await tx.insert(committees).values(committeeRows).returning({ id: committees.id, name: committees.name }));
	return { unitIds, committeeIds };
}

/**
 * Seeds the demo district in one transaction. Returns null, doing nothing, when the district
 * already exists (every start with SEED=demo calls this).
 */
export async function seedDemo(db: Db, now = new Date()): Promise<DemoAccounts | null> {
	const plan = buildPlan();
	// One argon2 hash shared by every demo account: hashing ~190 passwords would take seconds.
	const passwordHash = await hashPassword(DEMO_PASSWORD);
	return db.transaction(async (tx) => {
		const [district] = await tx.insert(districts).values({ name: DEMO_DISTRICT }).onConflictDoNothing({ target: districts.name }).returning({ id: districts.id });
		if (!district) return null;
		await assertUsernamesFree(tx, plan.people.map((p) => p.username));
		const { unitIds, committeeIds } = await insertOrganisation(tx, district.id, plan);
		const userRows = plan.people.map((p) => ({ username: p.username, displayName: p.displayName, passwordHash, unitId: p.unit === null ? null : idOf(unitIds, p.unit) }));
		const inserted = await tx.insert(users).values(userRows).returning({ id: users.id, name: users.username });
		const userIds = byName(inserted);
		await tx.insert(memberships).values(
			plan.seats.map((s) => ({ committeeId: idOf(committeeIds, s.committee), userId: idOf(userIds, s.username), role: s.role, unitId: s.unit === null ? null : idOf(unitIds, s.unit) }))
		);
		const first = plan.committees.find((c) => c.kind === 'community');
		const firstId = idOf(committeeIds, first?.name ?? null);
		await insertMeetings(tx, firstId, first?.scope ?? '', idOf(userIds, 'convener'), now);
		await tx.insert(auditLog).values({ actorId: null, action: 'seed.demo', subject: `district/${district.id}`, details: { users: inserted.length, units: plan.units.length } });
		return { password: DEMO_PASSWORD, accounts: demoAccounts(plan) };
	});
}

async function insertMeetings(tx: DbOrTx, committeeId: string, community: string, createdBy: string, now: Date): Promise<void> {
	const monthOf = (d: Date) => new Date(d.getTime() + 8 * 3_600_000).getUTCMonth() + 1;
	const past = meetingTime(now, -14);
	const upcoming = meetingTime(now, 7);
	const place = `${community}党群服务中心二楼会议室`;
	await tx.insert(meetings).values([
		{ committeeId, title: `${monthOf(past)}月大党委例会`, kind: 'regular', startsAt: past, place, createdBy },
		{ committeeId, title: `${monthOf(upcoming)}月大党委例会（共建项目对接）`, kind: 'regular', startsAt: upcoming, place, createdBy }
	]);
}
