

def _response(status, body):
    return {"statusCode": status, "headers": {"Content-Type": "application/json"}, "body": json.dumps(body)}


def handler(event, context):
    """API Gateway proxy request (HTTP API payload 2.0 or REST 1.0): JSON body in, JSON out."""
    raw = event.get("body") or "{}"
    if event.get("isBase64Encoded"):
        raw = base64.b64decode(raw).decode()
    try:
        payload = json.loads(raw)
    except ValueError:
        return _response(400, {"error": "body must be JSON"})
    try:
        result = do_work(payload)
        publish(result)
    except Exception:
        logger.exception("request failed")
        return _response(500, {"error": "internal error"})
    return _response(200, result)
