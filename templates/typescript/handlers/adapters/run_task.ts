import { makeHandler, runTask, type Work } from '../shared/shared.js';

/** The handler, with the step's work replaceable (the generated tests pass a stand-in). */
export const build = (work: Work = runTask) => makeHandler('{{ source }}', work);
export const handler = build();
