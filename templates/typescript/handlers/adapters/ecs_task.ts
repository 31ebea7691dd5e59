import { runContainer, type Work } from '../shared/shared.js';
import { {{ step }} } from './logic.js';

/** The container's entry point (no Lambda here: the task definition runs this file). */
export const build = (work: Work = {{ step }}) => () => runContainer(work);

if (process.argv[1]?.endsWith('app.mjs')) {
  await build()();
}
