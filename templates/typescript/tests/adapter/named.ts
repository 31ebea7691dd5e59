
test('a redelivered record starts the same named execution', async () => {
  // A Standard workflow fed by an at-least-once source (EXECUTION_NAME_FROM): each execution is named after its
  // delivery, so a copy delivered again, even after its idempotency record expired, asks Step Functions for the
  // same name, and Step Functions does not start a second execution of a name it has seen.
  const { calls } = setUp();
  process.env.EXECUTION_NAME_FROM = 'message-id'; // as template.yaml sets it
  delete process.env.IDEMPOTENCY_TABLE; // no idempotency table here: as if the first record expired
  const names = () => calls.filter(([, command]) => command === 'StartExecution').map(([, , input]) => input.name);
  const handler = build();
  await handler(sampleEvent(FUNCTION_DIR), context);
  const first = names();
  const valid = (n: unknown) => typeof n === 'string' && /^[A-Za-z0-9_-]{1,80}$/.test(n);
  assert.ok(first.length > 0 && first.every(valid), `every execution is named: ${first}`);
  await handler(sampleEvent(FUNCTION_DIR), context);
  assert.deepEqual(names(), [...first, ...first]);
});
