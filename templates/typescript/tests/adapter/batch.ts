
test('only the failing record is reported', async () => {
  setUp();
  const event = batch(['a-1', 'a-2', 'a-3']);
  const result = await build(new Work(['a-2']).run)(event, context);
  assert.deepEqual(result, { batchItemFailures: [{ itemIdentifier: itemId(event, 1) }] });
});
