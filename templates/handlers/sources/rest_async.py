

def handler(event, context):
    """REST API invoked us asynchronously (X-Amz-Invocation-Type: Event): the event is the request body."""
    key = context.aws_request_id if context is not None else json.dumps(event, sort_keys=True)
    if already_processed(key):  # an asynchronous retry keeps the request id
        return {"skipped": key}
    result = do_work(event if isinstance(event, dict) else {"body": event})
    publish(result)
    mark_processed(key)
    return result
