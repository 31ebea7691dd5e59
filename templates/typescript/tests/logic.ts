/**
 * Tests of src/{{ function_dir }}/logic.ts: your business logic.
 *
 * Created once by advisor scaffold; from now on this file is yours (advisor never changes it).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { {{ step }} } from '../src/{{ function_dir }}/logic.js';

test('{{ step }} returns a result with its business key', async () => {
  const result = await {{ step }}({ id: 'order-1', total: 42.5, items: ['book'] });
  assert.equal(result.id, 'order-1');
});
