import { makeHandler, type Work } from '../shared/shared.js';
import { {{ step }} } from './logic.js';

/** The handler, with the step's work replaceable (the generated tests pass a stand-in). */
export const build = (work: Work = {{ step }}) => makeHandler('{{ source }}', work);
export const handler = build();
