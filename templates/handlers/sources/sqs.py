

def _unwrap(body):
    """SQS carries our own JSON, an SNS raw message, or a whole EventBridge event."""
    payload = json.loads(body)
    if isinstance(payload, dict) and "detail-type" in payload and "detail" in payload:
        return payload["detail"]
    return payload


def handler(event, context):
    """SQS batch: report only the failed messages, so the others are not retried."""
    failures = []
    for record in event.get("Records", []):
        message_id = record["messageId"]
        try:
            if already_processed(message_id):
                continue
            publish(do_work(_unwrap(record["body"])))
            mark_processed(message_id)
        except Exception:
            logger.exception("message failed", extra={"messageId": message_id})
            failures.append({"itemIdentifier": message_id})
    return {"batchItemFailures": failures}
