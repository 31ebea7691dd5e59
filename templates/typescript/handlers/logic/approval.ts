/**
 * {{ title }}: tell a person that a decision is waiting.
 *
 * Created once by advisor scaffold; from now on it is yours: advisor never changes it and `advisor
 * scaffold --check` never counts it as drift. app.ts (generated) calls {{ step }}() with the request and
 * the task token; the workflow waits until SendTaskSuccess (or SendTaskFailure) is called with that token,
 * or the state times out.
 */
import type { Payload } from '../shared/shared.js';

/** Notify someone (email, chat, a web page) with the request and a way to answer that carries the token. */
export async function {{ step }}(request: Payload, token: string) {
  // TODO: send the notification; the answer must end in SendTaskSuccess with
  // taskToken = token and output = '{"approved": true}' (or false).
  return { notified: true, tokenLength: token.length, request };
}
