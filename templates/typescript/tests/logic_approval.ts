/**
 * Tests of src/{{ function_dir }}/logic.ts: who is told that a decision waits, and how.
 *
 * Created once by advisor scaffold; from now on this file is yours (advisor never changes it).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { {{ step }} } from '../src/{{ function_dir }}/logic.js';

test('{{ step }} notifies with the token', async () => {
  const result = await {{ step }}({ id: 'order-1' }, 'token-1');
  assert.equal(result.notified, true);
});
