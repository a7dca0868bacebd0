import { common } from './common';
import { meeting } from './meeting';
import { admin } from './admin';
import { minutes } from './minutes';
import { attendance } from './attendance';
import { template } from './template';
import { board } from './board';
import { boardSheet } from './boardSheet';
import { boardMatch } from './boardMatch';
import { project } from './project';
import { projectPage } from './projectPage';
import { category } from './category';
import { dashboard } from './dashboard';
import { notification } from './notification';
import { opinion } from './opinion';
import { comment } from './comment';
import { version } from './version';
import { record } from './record';
import { bulletin } from './bulletin';
import { evaluation } from './evaluation';
import { unit } from './unit';

/** The reference catalogue: every key exists here first; other locales must match it. */
export const zhCN = { ...common, ...meeting, ...admin, ...minutes, ...attendance, ...template, ...board, ...boardSheet, ...boardMatch, ...category, ...dashboard, ...project, ...projectPage, ...opinion, ...comment, ...notification, ...version, ...record, ...bulletin, ...evaluation, ...unit } as const;
export type MessageKey = keyof typeof zhCN;
