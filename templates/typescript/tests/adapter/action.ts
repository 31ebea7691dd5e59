
test('the action calls AWS', async () => {
  const { calls } = setUp();
  await build()(sampleEvent(FUNCTION_DIR), context);
  const expected = { startWorkflow: 'stepfunctions StartExecution', runTask: 'ecs RunTask' }['{{ step }}'];
  assert.ok(calls.map(([service, command]) => `${service} ${command}`).includes(expected as string));
});
