
/** DynamoDB stream records built from the sample, one per business id. */
function batch(ids: string[]) {
  const template = sampleEvent(FUNCTION_DIR).Records[0];
  return {
    Records: ids.map((key, n) => {
      const record = structuredClone(template);
      record.dynamodb.SequenceNumber = `11${n}`;
      record.dynamodb.NewImage.pk = { S: key };
      record.dynamodb.Keys.pk = { S: key };
      return record;
    }),
  };
}

// biome-ignore lint: a batch is plain JSON
const itemId = (event: any, n: number) => event.Records[n].dynamodb.SequenceNumber;
