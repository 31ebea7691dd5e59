
/** Kinesis records built from the sample, one per business id. */
function batch(ids: string[]) {
  const template = sampleEvent(FUNCTION_DIR).Records[0];
  return {
    Records: ids.map((key, n) => {
      const record = structuredClone(template);
      record.kinesis.sequenceNumber = `4959033827149025660855969253836157109592157598913658889${n}`;
      record.kinesis.data = Buffer.from(JSON.stringify({ id: key })).toString('base64');
      return record;
    }),
  };
}

// biome-ignore lint: a batch is plain JSON
const itemId = (event: any, n: number) => event.Records[n].kinesis.sequenceNumber;
