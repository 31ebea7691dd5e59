import { makeApprovalHandler, type Payload } from '../shared/shared.js';
import { {{ step }} } from './logic.js';

/** The handler, with the notification replaceable (the generated tests pass a stand-in). */
export const build = (notify: (request: Payload, token: string) => unknown = {{ step }}) =>
  makeApprovalHandler(notify);
export const handler = build();
