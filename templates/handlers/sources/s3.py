from urllib.parse import unquote_plus


def handler(event, context):
    """S3 notification: one or more created objects (keys arrive URL-encoded)."""
    results = []
    for record in event.get("Records", []):
        bucket = record["s3"]["bucket"]["name"]
        key = unquote_plus(record["s3"]["object"]["key"])
        marker = f"{bucket}/{key}/{record['s3']['object'].get('sequencer', '')}"
        if already_processed(marker):
            continue
        result = do_work({"bucket": bucket, "key": key, "size": record["s3"]["object"].get("size", 0)})
        publish(result)
        mark_processed(marker)
        results.append(result)
    return {"processed": len(results)}
