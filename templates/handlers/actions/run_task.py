

def do_work(payload):
    """Run the flow's Fargate task with this event as its INPUT."""
    # TODO: pass only what the task needs; container overrides are limited to 8 KB.
    response = _client("ecs").run_task(
        cluster=os.environ["CLUSTER_ARN"], taskDefinition=os.environ["TASK_DEFINITION_ARN"], launchType="FARGATE",
        networkConfiguration={"awsvpcConfiguration": {
            "subnets": os.environ["SUBNETS"].split(","), "securityGroups": [os.environ["SECURITY_GROUP"]],
            "assignPublicIp": "DISABLED"}},
        overrides={"containerOverrides": [{"name": "app", "environment": [
            {"name": "INPUT", "value": json.dumps(payload, default=str)}]}]})
    if response.get("failures"):
        raise RuntimeError(f"task did not start: {response['failures']}")
    arn = response["tasks"][0]["taskArn"]
    logger.info("task started", extra={"taskArn": arn})
    return {"taskArn": arn, "status": "started"}
