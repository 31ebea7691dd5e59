
test('a redelivered event runs once', async () => {
  const { calls } = setUp();
  const work = new Work();
  const handler = build(work.run);
  const first = await handler(sampleEvent(FUNCTION_DIR), context);
  const count = calls.length;
  const again = await handler(sampleEvent(FUNCTION_DIR), context);
  assert.equal(work.payloads.length, 1, 'at-least-once delivery: the second copy must not run the work again');
  assert.equal(calls.length, count, 'nor publish again');
  assert.deepEqual(again, first);
});
