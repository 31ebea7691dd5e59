

def handler(event, context):
    """SNS invokes asynchronously: raising makes Lambda retry, then send to the on-failure destination."""
    results = []
    for record in event.get("Records", []):
        message_id = record["Sns"]["MessageId"]
        if already_processed(message_id):
            continue
        result = do_work(json.loads(record["Sns"]["Message"]))
        publish(result)
        mark_processed(message_id)
        results.append(result)
    return {"processed": len(results)}
