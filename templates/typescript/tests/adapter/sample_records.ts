
test('the sample event is processed', async () => {
  setUp();
  const work = new Work();
  const result = await build(work.run)(sampleEvent(FUNCTION_DIR), context);
  assert.deepEqual(result, { processed: 1 });
  assert.equal(work.payloads.length, 1);
});

test('a failure is thrown so the source retries', async () => {
  setUp();
  const work = new Work(['order-1', '']);
  await assert.rejects(build(work.run)(sampleEvent(FUNCTION_DIR), context), /bad record/);
});
