/**
 * {{ title }}: the business logic of this step.
 *
 * Created once by advisor scaffold; from now on it is yours: advisor never changes it and `advisor
 * scaffold --check` never counts it as drift. app.ts (generated) calls {{ step }}() with each event's
 * payload, publishes what it returns, and (for at-least-once sources) runs it once per payload.
 */
import type { Payload, Result } from '../shared/shared.js';

/** Take the event's payload and return the result (with the business key `id`). Throw to fail this record:
 * it is retried, then lands in the dead-letter queue. */
export async function {{ step }}(payload: Payload): Promise<Result> {
  // TODO: business logic goes here (validate, compute, write to the data store...).
  return { id: String(payload?.id ?? ''), status: 'done' };
}
