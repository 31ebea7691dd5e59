

def _plain(value):
    """DynamoDB attribute value ({"S": "x"}, {"N": "1"}, ...) -> plain Python."""
    (kind, inner), = value.items()
    if kind == "N":
        return float(inner) if any(c in inner for c in ".eE") else int(inner)
    if kind == "M":
        return {k: _plain(v) for k, v in inner.items()}
    if kind == "L":
        return [_plain(v) for v in inner]
    if kind == "NULL":
        return None
    return inner  # S, BOOL, B, SS, NS, BS


def handler(event, context):
    """DynamoDB stream batch in order: the new image of each changed item."""
    for record in event.get("Records", []):
        sequence = record["dynamodb"]["SequenceNumber"]
        try:
            if already_processed(sequence):
                continue
            image = {k: _plain(v) for k, v in record["dynamodb"].get("NewImage", {}).items()}
            publish(do_work({"change": record["eventName"], "item": image}))
            mark_processed(sequence)
        except Exception:
            logger.exception("record failed", extra={"sequenceNumber": sequence})
            return {"batchItemFailures": [{"itemIdentifier": sequence}]}
    return {"batchItemFailures": []}
