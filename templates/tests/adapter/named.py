

def test_a_redelivered_record_starts_the_same_named_execution(aws, monkeypatch):
    """A Standard workflow fed by an at-least-once source (EXECUTION_NAME_FROM): each execution is named after
    its delivery, so a copy delivered again, even after its idempotency record expired, asks Step Functions for
    the same name, and Step Functions does not start a second execution of a name it has seen."""
    monkeypatch.setenv("EXECUTION_NAME_FROM", "message-id")  # as template.yaml sets it
    app = load_module(ROOT / "src" / FUNCTION_DIR / "app.py", f"app_{FUNCTION_DIR}", monkeypatch)

    def names():
        return [kwargs.get("name") for _, operation, kwargs in aws if operation == "start_execution"]

    app.handler(sample_event(FUNCTION_DIR), Context())
    first = names()
    assert first and all(first), "every execution is named"
    assert all(len(n) <= 80 and n.replace("-", "").replace("_", "").isalnum() for n in first), first
    app.handler(sample_event(FUNCTION_DIR), Context())  # no idempotency table here: as if its record expired
    assert names() == first + first
