import type { MessageKey } from '../zh-CN';
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
import { common } from './common';
import { meeting } from './meeting';

export const en: Record<MessageKey, string> = { ...common, ...meeting, ...admin, ...minutes, ...attendance, ...template, ...board, ...boardSheet, ...boardMatch, ...category, ...dashboard, ...project, ...projectPage, ...opinion, ...comment, ...notification };
