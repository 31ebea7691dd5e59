

def handler(event, context):
    """Called with a task token; the workflow waits until someone sends the decision back.

    The person's decision must end in
    stepfunctions.send_task_success(taskToken=..., output='{"approved": true}')
    (or false); no answer before the state's timeout fails the step.
    """
    token = event["taskToken"]
    request = event.get("input", {})
    # TODO: notify a person (email, chat, a web page) with the request and a link that carries the token.
    logger.info("approval requested", extra={"request_keys": sorted(request) if isinstance(request, dict) else None,
                                             "token_length": len(token)})
    return {"notified": True}
