

def handler(event, context):
    """AppSync direct Lambda resolver: the mutation's `input` argument is an AWSJSON string."""
    raw = event.get("arguments", {}).get("input") or "{}"
    payload = json.loads(raw) if isinstance(raw, str) else raw
    result = do_work(payload)
    publish(result)
    return {"id": str(result.get("id") or result.get("executionArn") or ""), "status": str(result.get("status", ""))}
