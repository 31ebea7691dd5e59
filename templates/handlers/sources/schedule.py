

def handler(event, context):
    """EventBridge Scheduler invokes asynchronously; a retry keeps the same request id."""
    key = context.aws_request_id if context is not None else json.dumps(event, sort_keys=True)
    if already_processed(key):
        return {"skipped": key}
    result = do_work(event if isinstance(event, dict) else {})
    publish(result)
    mark_processed(key)
    return result
