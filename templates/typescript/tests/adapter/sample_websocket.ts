
test('the sample message is answered', async () => {
  setUp();
  const work = new Work();
  const result = (await build(work.run)(sampleEvent(FUNCTION_DIR), context)) as { statusCode: number };
  assert.equal(result.statusCode, 200);
  assert.deepEqual(work.payloads.map(ident), ['order-1']);
});

test('connect does not run the work', async () => {
  setUp();
  const event = sampleEvent(FUNCTION_DIR);
  event.requestContext.routeKey = '$connect';
  const work = new Work();
  assert.deepEqual(await build(work.run)(event, context), { statusCode: 200 });
  assert.equal(work.payloads.length, 0);
});
