

def test_the_sample_event_is_processed(aws, monkeypatch):
    work = Work()
    result = load_app(monkeypatch, work).handler(sample_event(FUNCTION_DIR), Context())
    assert len(work.payloads) == 1 and isinstance(work.payloads[0], dict)
    assert result["status"] == "done"
