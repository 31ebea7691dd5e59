

def do_work(payload):
    """The business logic of this step: take the event's payload, return the result."""
    # TODO: business logic goes here (validate, compute, write to the data store...).
    logger.info("working", extra={"keys": sorted(payload) if isinstance(payload, dict) else None})
    return {"id": str(payload.get("id", "")) if isinstance(payload, dict) else "", "status": "done"}
