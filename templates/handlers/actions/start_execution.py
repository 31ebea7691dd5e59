

def do_work(payload):
    """Start one workflow execution for this event (synchronously for Express behind an API)."""
    # TODO: pick or rename fields before they become the workflow's input, if needed.
    sfn = _client("stepfunctions")
    arn = os.environ["STATE_MACHINE_ARN"]
    body = json.dumps(payload, default=str)
    if os.environ.get("SYNC") == "true":
        response = sfn.start_sync_execution(stateMachineArn=arn, input=body)
        if response.get("status") != "SUCCEEDED":
            raise RuntimeError(f"workflow {response.get('status')}: {response.get('error')}")
        return json.loads(response.get("output") or "{}")
    response = sfn.start_execution(stateMachineArn=arn, input=body)
    logger.info("workflow started", extra={"executionArn": response["executionArn"]})
    return {"executionArn": response["executionArn"], "status": "started"}
