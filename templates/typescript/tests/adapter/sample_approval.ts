
test('the person is notified with the token', async () => {
  setUp();
  const seen: unknown[] = [];
  const event = sampleEvent(FUNCTION_DIR);
  const result = await build((request, token) => seen.push([request, token]))(event, context);
  assert.deepEqual(result, { notified: true });
  assert.deepEqual(seen, [[event.input ?? {}, event.taskToken]]);
});
