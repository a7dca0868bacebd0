/*
 * The minutes template (纪要模板) admin page and the refusals of src/lib/server/minutesTemplate.ts.
 * Texts that show a placeholder literally ({kind}, {committee}) are never given params of
 * those names, so translate() leaves them as written.
 */
export const template = {
	'admin.nav.templates': '纪要模板',

	'template.title': '纪要模板',
	'template.intro': '记录人首次打开空白纪要时，系统按会议和议程自动排好格式：标题、时间、地点、主持人、记录人、出席情况，每个议题一节，最后是结尾文字。排好后可以像普通文字一样修改。这里设置两类委员会纪要的标题格式和结尾文字。',
	'template.titlePattern': '标题格式',
	'template.titleHint': '可使用下列占位符，生成纪要时替换为会议的实际信息。',
	'template.closingText': '结尾文字',
	'template.closingHint': '放在纪要末尾，每行一段，可留空。例如“报送：”“抄送：”。',
	'template.placeholders': '可用占位符',
	'template.ph.committee': '委员会名称，如“幸福社区大党委”',
	'template.ph.year': '会议所在年份（北京时间）',
	'template.ph.n': '本年度第几次同类会议，按开始时间排序（例会、专题会议分别计数）',
	'template.ph.kind': '会议类型：“例会”或“专题会议”',
	'template.ph.date': '会议日期，如“2026年3月12日”',
	'template.specialNote': '标题格式中含有 {kind} 时，专题会议也按此格式生成标题；否则专题会议的标题为“{committee}专题会议纪要”。',
	'template.preview': '标题预览',
	'template.previewRegular': '例会',
	'template.previewSpecial': '专题会议',
	'template.example': '示例会议：{committee}，{date}召开，本年度第 {n} 次。',
	'template.previewInvalid': '标题格式有误，暂无法预览。',
	'template.default': '默认格式',
	'template.custom': '已自定义',
	'template.restoreDefault': '恢复默认标题格式',
	'template.saved': '纪要模板已保存，之后新打开的空白纪要将按此排版。',
	'template.unchanged': '内容没有变化。',
	'template.charCount': '{count} / {max} 字',

	'template.error.titleRequired': '请填写标题格式。',
	'template.error.titleTooLong': '标题格式不能超过 {max} 个字。',
	'template.error.unknownPlaceholder': '不认识的占位符 {name}，请使用下方列出的占位符。',
	'template.error.strayBrace': '花括号不成对，请检查占位符的写法。',
	'template.error.closingTooLong': '结尾文字不能超过 {max} 个字。',
	'template.error.unknownKind': '没有这一类委员会。'
} as const;
