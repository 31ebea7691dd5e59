

def handler(event, context):
    """EventBridge invokes asynchronously with one event; its content is in `detail`."""
    if already_processed(event["id"]):
        return {"skipped": event["id"]}
    result = do_work(event.get("detail") or {})
    publish(result)
    mark_processed(event["id"])
    return result
