
test('the sample request is answered', async () => {
  setUp();
  const work = new Work();
  const result = (await build(work.run)(sampleEvent(FUNCTION_DIR), context)) as { statusCode: number; body: string };
  assert.equal(result.statusCode, 200);
  assert.deepEqual(JSON.parse(result.body), { id: 'order-1', status: 'done' });
  assert.deepEqual(work.payloads.map(ident), ['order-1']);
});

test('a body that is not JSON is a 400', async () => {
  setUp();
  const event = { ...sampleEvent(FUNCTION_DIR), body: 'not json', isBase64Encoded: false };
  const work = new Work();
  const result = (await build(work.run)(event, context)) as { statusCode: number };
  assert.equal(result.statusCode, 400);
  assert.equal(work.payloads.length, 0);
});

test('a failure is a 500 without details', async () => {
  setUp();
  const result = (await build(new Work(['order-1']).run)(sampleEvent(FUNCTION_DIR), context)) as {
    statusCode: number; body: string };
  assert.equal(result.statusCode, 500);
  assert.ok(!result.body.includes('bad record'));
});
