
/** SQS records built from the sample, one per business id (FIFO groups when given). */
function batch(ids: string[], groups?: string[]) {
  const template = sampleEvent(FUNCTION_DIR).Records[0];
  return {
    Records: ids.map((key, n) => {
      const record = structuredClone(template);
      record.messageId = `message-${n}`;
      record.body = JSON.stringify({ id: key });
      if (groups) {
        record.eventSourceARN += '.fifo';
        record.attributes.MessageGroupId = groups[n];
        record.attributes.SequenceNumber = String(n);
      }
      return record;
    }),
  };
}

// biome-ignore lint: a batch is plain JSON
const itemId = (event: any, n: number) => event.Records[n].messageId;

test('a FIFO group stops at its first failure', async () => {
  setUp();
  const event = batch(['a-1', 'a-2', 'b-1'], ['a', 'a', 'b']);
  const work = new Work(['a-1']);
  const result = (await build(work.run)(event, context)) as { batchItemFailures: { itemIdentifier: string }[] };
  assert.deepEqual(result.batchItemFailures.map((f) => f.itemIdentifier), [itemId(event, 0), itemId(event, 1)],
    'a-2 must wait for a-1, in order');
  assert.deepEqual(work.payloads.map(ident), ['a-1', 'b-1'], 'group b is not held up by group a');
});
