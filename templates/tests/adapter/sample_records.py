

def test_the_sample_event_is_processed(aws, monkeypatch):
    work = Work()
    result = load_app(monkeypatch, work).handler(sample_event(FUNCTION_DIR), Context())
    assert result == {"processed": 1}
    assert len(work.payloads) == 1 and isinstance(work.payloads[0], dict)


def test_a_failure_is_raised_so_the_source_retries(aws, monkeypatch):
    app = load_app(monkeypatch, Work(fail_on={"order-1", ""}))
    try:
        app.handler(sample_event(FUNCTION_DIR), Context())
    except ValueError:
        return
    raise AssertionError("a failing record must fail the invocation, or the source never retries it")
