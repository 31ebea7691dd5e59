"""{{ title }}: the business logic of this step.

Created once by advisor scaffold; from now on it is yours: advisor never changes it and `advisor
scaffold --check` never counts it as drift. app.py (generated) calls {{ step }}() with each event's
payload, publishes what it returns, and (for at-least-once sources) runs it once per payload.
"""


def {{ step }}(payload):
    """Take the event's payload (a dict) and return the result (a dict with the business key `id`).

    Raise to fail this record: it is retried, then lands in the dead-letter queue.
    """
    # TODO: business logic goes here (validate, compute, write to the data store...).
    return {"id": str(payload.get("id", "")) if isinstance(payload, dict) else "", "status": "done"}
