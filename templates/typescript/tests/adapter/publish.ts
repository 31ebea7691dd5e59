
const KIND: string = '{{ publish }}';
const SERVICE = KIND;
const KEY_FIELD: Record<string, string> = { sns: 'MessageGroupId', sqs: 'MessageGroupId', kinesis: 'PartitionKey' };

function publishTo() {
  process.env.OUTCOME_KIND = KIND;
  process.env.OUTCOME_TARGETS = KIND === 'sns' || KIND === 'sqs' ? 'target-1.fifo' : 'target-1';
}

test('the outcome is published under its business key', async () => {
  const { calls } = setUp();
  publishTo();
  await build(async () => ({ id: 'order-1', status: 'done' }))(sampleEvent(FUNCTION_DIR), context);
  const sent = calls.filter(([service]) => service === SERVICE).map(([, , input]) => input);
  assert.equal(sent.length, 1);
  if (KEY_FIELD[KIND]) assert.equal(sent[0][KEY_FIELD[KIND]], 'order-1', 'the FIFO group / partition is the business key');
  if (KIND === 'dynamodb') assert.deepEqual((sent[0].Item as Record<string, unknown>).pk, { S: 'order-1' });
});

test('an outcome without a key still has a valid one', async () => {
  const { calls } = setUp();
  publishTo();
  await build(async () => ({ status: 'done' }))(sampleEvent(FUNCTION_DIR), context);
  const [input] = calls.filter(([service]) => service === SERVICE).map(([, , i]) => i);
  // biome-ignore lint: the SDK input is plain JSON
  const values = [input.MessageGroupId, input.PartitionKey, (input as any).Item?.pk?.S];
  assert.ok(values.every((v) => v !== ''), 'AWS rejects an empty group id, partition key or table key');
});
