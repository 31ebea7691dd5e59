

def handler(event, context):
    """WebSocket API: $connect / $disconnect bookkeeping, $default carries JSON messages."""
    route = event["requestContext"]["routeKey"]
    connection = event["requestContext"]["connectionId"]
    if route in ("$connect", "$disconnect"):
        # TODO: remember or forget the connection (e.g. in a table) to push results later.
        logger.info("connection", extra={"route": route, "connectionId": connection})
        return {"statusCode": 200}
    try:
        payload = json.loads(event.get("body") or "{}")
    except ValueError:
        return {"statusCode": 400, "body": json.dumps({"error": "message must be JSON"})}
    result = do_work(payload)
    publish(result)
    # TODO: push the result back with the apigatewaymanagementapi client (post_to_connection).
    return {"statusCode": 200, "body": json.dumps(result)}
