

def handler(event, context):
    """Kinesis batch in shard order: stop at the first failure and report it, so order holds."""
    for record in event.get("Records", []):
        sequence = record["kinesis"]["sequenceNumber"]
        try:
            if already_processed(sequence):
                continue
            payload = json.loads(base64.b64decode(record["kinesis"]["data"]))
            publish(do_work(payload))
            mark_processed(sequence)
        except Exception:
            logger.exception("record failed", extra={"sequenceNumber": sequence})
            return {"batchItemFailures": [{"itemIdentifier": sequence}]}
    return {"batchItemFailures": []}
