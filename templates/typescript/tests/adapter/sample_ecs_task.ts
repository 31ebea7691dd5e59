
test('the container runs the work on its input', async () => {
  setUp();
  process.env.INPUT = JSON.stringify({ id: 'order-1' });
  const work = new Work();
  assert.deepEqual(await build(work.run)(), { id: 'order-1', status: 'done' });
  assert.deepEqual(work.payloads, [{ id: 'order-1' }]);
});
