
test('the sample event is processed', async () => {
  setUp();
  const work = new Work();
  const result = await build(work.run)(sampleEvent(FUNCTION_DIR), context);
  assert.deepEqual(result, { batchItemFailures: [] });
  assert.deepEqual(work.payloads.map(ident), ['order-1']);
});
