/** The OpenAPI description of /api/v1, served at /api/v1/openapi.json. Keep it beside the routes it describes. */
const error = {
	type: 'object',
	required: ['error'],
	properties: {
		error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } }
	}
};
const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

const meeting = {
	type: 'object',
	required: ['id', 'committeeId', 'title', 'kind', 'state', 'startsAt', 'place', 'onlineLink', 'createdAt'],
	properties: {
		id: { type: 'string', format: 'uuid' },
		committeeId: { type: 'string', format: 'uuid' },
		title: { type: 'string', maxLength: 200 },
		kind: { type: 'string', enum: ['regular', 'special'], description: 'regular = 例会, special = 专题会议' },
		state: { type: 'string', enum: ['scheduled', 'in_progress', 'review', 'finalized'] },
		startsAt: { type: 'string', format: 'date-time' },
		place: { type: 'string' },
		onlineLink: { type: 'string' },
		createdAt: { type: 'string', format: 'date-time' }
	}
};

export const openApiDocument = {
	openapi: '3.1.0',
	info: {
		title: 'gongjian (共建会议工作台) API',
		version: '1',
		description: 'Committees, meetings and agendas of regional party-building joint committees. Authenticate with POST /sessions, then send Authorization: Bearer <token>. The same token authenticates the collaboration WebSocket (/collab, Hocuspocus protocol) as the provider\'s token.'
	},
	servers: [{ url: '/api/v1' }],
	components: {
		securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
		schemas: {
			Error: error,
			Meeting: meeting,
			Committee: {
				type: 'object',
				properties: {
					id: { type: 'string', format: 'uuid' },
					kind: { type: 'string', enum: ['community', 'street'], description: 'community = 社区大党委, street = 街道大工委' },
					name: { type: 'string' },
					streetName: { type: 'string' },
					communityName: { type: ['string', 'null'] },
					memberCount: { type: 'integer' },
					role: { type: ['string', 'null'], enum: ['convener', 'recorder', 'member', 'part_time', 'observer', null] }
				}
			},
			ReportInput: {
				type: 'object',
				required: ['month', 'done', 'progress'],
				properties: {
					month: { type: 'string', pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$' },
					unitId: { type: 'string', format: 'uuid' },
					done: { type: 'string', maxLength: 2000 },
					progress: { type: 'integer', minimum: 0, maximum: 100 },
					problems: { type: 'string', maxLength: 2000 },
					helpNeeded: { type: 'string', maxLength: 1000 },
					removeAttachmentIds: { type: 'array', items: { type: 'string', format: 'uuid' } },
					attachments: {
						type: 'array',
						maxItems: 5,
						items: { type: 'object', properties: { filename: { type: 'string' }, type: { type: 'string' }, base64: { type: 'string' } } }
					}
				}
			},
			AgendaItem: {
				type: 'object',
				properties: {
					id: { type: 'string' },
					title: { type: 'string' },
					presenter: { type: 'string' },
					durationMinutes: { type: 'integer' },
					notes: { type: 'string' }
				}
			}
		}
	},
	security: [{ bearer: [] }],
	paths: {
		'/sessions': {
			post: {
				summary: 'Sign in and get a bearer token',
				security: [],
				requestBody: {
					required: true,
					content: {
						'application/json': {
							schema: { type: 'object', required: ['username', 'password'], properties: { username: { type: 'string' }, password: { type: 'string' } } }
						}
					}
				},
				responses: {
					'201': {
						description: 'Signed in',
						content: {
							'application/json': {
								schema: { type: 'object', properties: { token: { type: 'string' }, expiresAt: { type: 'string', format: 'date-time' } } }
							}
						}
					},
					'400': errorResponse('Malformed body'),
					'401': errorResponse('Wrong username or password'),
					'429': errorResponse('Too many failed attempts for this account or address; see Retry-After')
				}
			}
		},
		'/sessions/current': {
			delete: { summary: 'Sign the calling token out', responses: { '204': { description: 'Signed out' }, '401': errorResponse('No valid token') } }
		},
		'/committees': {
			get: {
				summary: 'Committees the caller belongs to (all of them for administrators)',
				responses: {
					'200': {
						description: 'Committees',
						content: { 'application/json': { schema: { type: 'object', properties: { items: { type: 'array', items: { $ref: '#/components/schemas/Committee' } } } } } }
					},
					'401': errorResponse('No valid token')
				}
			}
		},
		'/committees/{id}/meetings': {
			parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
			get: {
				summary: 'Meetings of a committee, newest first',
				parameters: [
					{ name: 'page', in: 'query', schema: { type: 'integer', minimum: 1, default: 1 } },
					{ name: 'pageSize', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } }
				],
				responses: {
					'200': {
						description: 'A page of meetings',
						content: {
							'application/json': {
								schema: {
									type: 'object',
									properties: { items: { type: 'array', items: { $ref: '#/components/schemas/Meeting' } }, page: { type: 'integer' }, pageSize: { type: 'integer' }, total: { type: 'integer' } }
								}
							}
						}
					},
					'400': errorResponse('Bad paging parameters'),
					'401': errorResponse('No valid token'),
					'404': errorResponse('No such committee, or not a member')
				}
			},
			post: {
				summary: 'Schedule a meeting (convener, recorder or administrator)',
				requestBody: {
					required: true,
					content: {
						'application/json': {
							schema: {
								type: 'object',
								required: ['title', 'kind', 'startsAt'],
								properties: {
									title: { type: 'string', maxLength: 200 },
									kind: { type: 'string', enum: ['regular', 'special'] },
									startsAt: { type: 'string', format: 'date-time', description: 'ISO 8601 with offset, e.g. 2026-12-01T14:30:00+08:00' },
									place: { type: 'string', maxLength: 200 },
									onlineLink: { type: 'string', description: 'http(s) URL' }
								}
							}
						}
					}
				},
				responses: {
					'201': { description: 'Scheduled', content: { 'application/json': { schema: { $ref: '#/components/schemas/Meeting' } } } },
					'400': errorResponse('Invalid fields (error.fields names each)'),
					'401': errorResponse('No valid token'),
					'403': errorResponse('Not allowed to schedule meetings in this committee'),
					'404': errorResponse('No such committee, or not a member'),
					'415': errorResponse('Body is not JSON')
				}
			}
		},
		'/meetings/{id}/transitions': {
			parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
			post: {
				summary: 'Move a meeting through its lifecycle (scheduled → in_progress → review → finalized; reopen needs a reason)',
				requestBody: {
					required: true,
					content: {
						'application/json': {
							schema: {
								type: 'object',
								required: ['transition'],
								properties: {
									transition: { type: 'string', enum: ['start', 'review', 'finalize', 'reopen'] },
									reason: { type: 'string', maxLength: 500 },
									override: {
										type: 'string',
										maxLength: 500,
										description: 'finalize only: why the minutes are finalized although not every member unit and standing member confirmed them (audited)'
									}
								}
							}
						}
					}
				},
				responses: {
					'200': { description: 'The new state; for finalize, the version, hash and decision counts' },
					'400': errorResponse(
						'Invalid transition, missing reason, decisions to complete (error.problems names each block), or not every party confirmed and no override (error.unconfirmed lists them)'
					),
					'401': errorResponse('No valid token'),
					'403': errorResponse('Not allowed for this role'),
					'404': errorResponse('No such meeting'),
					'409': errorResponse('Not possible in the current state')
				}
			}
		},
		'/meetings/{id}/attendance': {
			parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
			get: {
				summary: 'Attendance of every member, with the summary (应到/实到, quorum, units represented)',
				responses: { '200': { description: '{entries, summary}' }, '401': errorResponse('No valid token'), '404': errorResponse('No such meeting, or not a member') }
			},
			put: {
				summary: 'Record one member’s attendance (convener, recorder or administrator)',
				requestBody: {
					required: true,
					content: {
						'application/json': {
							schema: {
								type: 'object',
								required: ['userId', 'status'],
								properties: {
									userId: { type: 'string', format: 'uuid' },
									status: { type: 'string', enum: ['present', 'remote', 'absent', 'delegated'] },
									reason: { type: 'string', maxLength: 200, description: 'required when absent (请假)' },
									delegateId: { type: 'string', format: 'uuid', description: 'required when delegated (委托)' }
								}
							}
						}
					}
				},
				responses: {
					'200': { description: '{entry, summary}' },
					'400': errorResponse('Invalid attendance (error.key names the rule)'),
					'403': errorResponse('Not convener, recorder or administrator'),
					'404': errorResponse('No such meeting, or not a member'),
					'409': errorResponse('The meeting is finalized')
				}
			}
		},
		'/committees/{id}/boards/{year}/proposals/{proposalId}/schedule': {
			parameters: [
				{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
				{ name: 'year', in: 'path', required: true, schema: { type: 'integer' } },
				{ name: 'proposalId', in: 'path', required: true, schema: { type: 'string' } }
			],
			post: {
				summary: 'Put a board proposal on the committee’s next meeting’s agenda (an agenda item linked to it)',
				responses: {
					'200': { description: '{meetingId, agendaItemId}' },
					'403': errorResponse('Not convener, recorder or administrator'),
					'404': errorResponse('No such proposal'),
					'409': errorResponse('Already scheduled, closed, or no upcoming meeting')
				}
			}
		},
		'/records': {
			get: {
				summary: 'The archive (归档) the caller may read: finalized minutes, current versions unless versions=all; q searches the full text (Chinese phrases)',
				parameters: [
					{ name: 'q', in: 'query', schema: { type: 'string', maxLength: 100 }, description: 'Phrases separated by spaces; all must occur' },
					{ name: 'year', in: 'query', schema: { type: 'integer' } },
					{ name: 'committee', in: 'query', schema: { type: 'string', format: 'uuid' } },
					{ name: 'street', in: 'query', schema: { type: 'string', format: 'uuid' } },
					{ name: 'versions', in: 'query', schema: { type: 'string', enum: ['all'] } },
					{ name: 'page', in: 'query', schema: { type: 'integer', minimum: 1 } }
				],
				responses: { '200': { description: '{items, total, page, pageCount}; with q each item has a snippet: [{text, hit}]' }, '401': errorResponse('No valid token') }
			}
		},
		'/records/{id}': {
			parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
			get: {
				summary: 'One record as frozen: number 〔year〕第n号, version, sha256 and the body the hash covers. Downloads: /records/{id}/export/{docx|pdf|md} (session cookie)',
				responses: { '200': { description: 'The record' }, '401': errorResponse('No valid token'), '404': errorResponse('No such record, or not a member of its committee') }
			}
		},
		'/records/{id}/verify': {
			parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
			get: {
				summary: 'Recompute a record’s SHA-256 from what is stored now and compare it with the hash taken when it was frozen',
				responses: {
					'200': {
						description: 'valid is false when the stored record was changed after it was frozen',
						content: { 'application/json': { schema: { type: 'object', required: ['valid'], properties: { valid: { type: 'boolean' }, sha256: { type: 'string' }, computed: { type: 'string' } } } } }
					},
					'401': errorResponse('No valid token'),
					'404': errorResponse('No such record, or not a member of its committee')
				}
			}
		},
		'/projects/{id}': {
			parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
			get: {
				summary: 'A tracked project item (from a decision of finalized minutes)',
				responses: { '200': { description: 'The item, with its units and derived status' }, '401': errorResponse('No valid token'), '404': errorResponse('No such item, or not a member') }
			}
		},
		'/projects/{id}/reports': {
			parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
			get: {
				summary: 'The item’s monthly progress reports (按月督查), newest month first, with attachment metadata and download paths',
				responses: { '200': { description: 'Array of reports' }, '401': errorResponse('No valid token'), '404': errorResponse('No such item, or not a member') }
			},
			post: {
				summary: 'File or amend a responsible unit’s report on a month (the unit’s contact; the convener or recorder on its behalf). All or nothing.',
				description:
					'multipart/form-data: month, unitId (optional for a unit contact), done, progress, problems, helpNeeded, removeAttachmentIds (repeatable), attachments (files, repeatable). Or JSON with attachments as [{filename, type, base64}]. Attachments: PNG, JPEG, WebP or PDF, decided by their content; at most 5 MiB each and 5 per report. A unit may amend until the report day of the next month; later only the convener or recorder.',
				requestBody: {
					required: true,
					content: {
						'multipart/form-data': { schema: { $ref: '#/components/schemas/ReportInput' } },
						'application/json': { schema: { $ref: '#/components/schemas/ReportInput' } }
					}
				},
				responses: {
					'201': { description: 'The report as stored' },
					'400': errorResponse('Invalid month, progress, text or attachment type (error.code e.g. attachment.badType; error.params names the file)'),
					'401': errorResponse('No valid token'),
					'403': errorResponse('Not a contact of a responsible unit'),
					'404': errorResponse('No such item, or not a member'),
					'409': errorResponse('The month’s window has closed (report.windowClosed), or the item was withdrawn'),
					'413': errorResponse('An attachment is larger than 5 MiB')
				}
			}
		},
		'/projects/{id}/transitions': {
			parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
			post: {
				summary: 'Change status, due date or responsible units (convener, recorder, administrator), always with a reason; audited',
				requestBody: {
					required: true,
					content: {
						'application/json': {
							schema: {
								type: 'object',
								required: ['change', 'reason'],
								properties: {
									change: { type: 'string', enum: ['status', 'dueDate', 'units'] },
									status: { type: 'string', enum: ['not_started', 'in_progress', 'done', 'on_hold'], description: 'overdue is derived from the due date, never set' },
									dueDate: { type: 'string', format: 'date' },
									units: { type: 'array', items: { type: 'object', required: ['unitId'], properties: { unitId: { type: 'string', format: 'uuid' }, personName: { type: 'string', maxLength: 50 } } } },
									reason: { type: 'string', maxLength: 500, description: 'Required; for on_hold it is the hold reason shown on the item' }
								}
							}
						}
					}
				},
				responses: {
					'200': { description: 'The item after the change' },
					'400': errorResponse('Missing reason, bad date, unknown status or unit'),
					'401': errorResponse('No valid token'),
					'403': errorResponse('Not the convener or recorder'),
					'404': errorResponse('No such item, or not a member'),
					'409': errorResponse('Nothing changed, or the item was withdrawn')
				}
			}
		},
		'/projects/{id}/history': {
			parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
			get: {
				summary: 'The item’s history, oldest first: creation, status, due-date and unit changes with reasons, reports, claims; actors by name',
				responses: { '200': { description: 'Array of history entries (discriminated by action)' }, '401': errorResponse('No valid token'), '404': errorResponse('No such item, or not a member') }
			}
		},
		'/attachments/{id}': {
			parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
			get: {
				summary: 'A report attachment’s bytes (members of the item’s committee and administrators)',
				responses: { '200': { description: 'The file, with its type' }, '401': errorResponse('No valid token'), '404': errorResponse('No such attachment, or not allowed') }
			}
		},
		'/me/items': {
			get: {
				summary: 'My items: across committees, items whose responsible unit I represent, with the month due, its deadline and report state (filed / due / missing)',
				responses: { '200': { description: 'Array of {item, unitId, unitName, expectsReports, due, lastClosed}' }, '401': errorResponse('No valid token') }
			}
		},
		'/meetings/{id}': {
			parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
			get: {
				summary: 'A meeting with its agenda as stored',
				responses: {
					'200': {
						description: 'The meeting',
						content: {
							'application/json': {
								schema: {
									allOf: [
										{ $ref: '#/components/schemas/Meeting' },
										{ type: 'object', properties: { committeeName: { type: 'string' }, agenda: { type: 'array', items: { $ref: '#/components/schemas/AgendaItem' } } } }
									]
								}
							}
						}
					},
					'401': errorResponse('No valid token'),
					'404': errorResponse('No such meeting, or not a member of its committee')
				}
			}
		},
		'/comments': {
			get: {
				summary: 'Comment threads of a live document (minutes: text threads with their quote, open / resolved / detached when the text is gone; agenda: per item; board: per card)',
				parameters: [{ name: 'doc', in: 'query', required: true, schema: { type: 'string', example: 'minutes/<meetingId>' } }],
				responses: {
					'200': { description: '{committeeId, canComment, threads: [{id, anchorKind, anchorId, quote, status, resolvedAt, createdAt, comments: [{id, authorId, authorName, body (null once deleted), createdAt, editedAt, mentions}]}], members (to @mention, when one may comment), me}' },
					'400': errorResponse('comment.badDocument: not a document name'),
					'401': errorResponse('No valid token'),
					'404': errorResponse('comment.notFound: no such document, or not readable')
				}
			},
			post: {
				summary: 'Open a thread, reply, edit or delete one’s own comment, resolve or reopen a thread. Errors carry a comment.* catalogue key as code.',
				requestBody: {
					required: true,
					content: {
						'application/json': {
							schema: {
								type: 'object',
								required: ['op'],
								properties: {
									op: { type: 'string', enum: ['open', 'reply', 'edit', 'delete', 'resolve', 'reopen'] },
									doc: { type: 'string', description: 'open: the document name' },
									anchor: {
										type: 'object',
										description: 'open: {kind: "text", start, end} (base64 Yjs relative positions within one block of the minutes), {kind: "agenda_item", id} or {kind: "card", id}'
									},
									threadId: { type: 'string', format: 'uuid' },
									commentId: { type: 'string', format: 'uuid' },
									body: { type: 'string', maxLength: 2000 },
									mentions: { type: 'array', maxItems: 50, items: { type: 'string', format: 'uuid' }, description: 'Members of the committee to notify' }
								}
							}
						}
					}
				},
				responses: {
					'200': { description: 'Done (edit, delete, resolve, reopen)' },
					'201': { description: 'open: {threadId, commentId}; reply: {commentId}' },
					'400': errorResponse('Invalid body, anchor or mention'),
					'401': errorResponse('No valid token'),
					'403': errorResponse('comment.forbidden (may not comment now) or comment.notAuthor'),
					'404': errorResponse('comment.notFound'),
					'409': errorResponse('comment.anchorGone: the selected text is not stored yet or was deleted')
				}
			}
		}
	}
} as const;
