
test('the sample event is processed', async () => {
  setUp();
  const work = new Work();
  const result = (await build(work.run)(sampleEvent(FUNCTION_DIR), context)) as Record<string, unknown>;
  assert.equal(work.payloads.length, 1);
  assert.equal(result.status, 'done');
});
