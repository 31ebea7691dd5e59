

def test_the_sample_event_is_processed(aws, monkeypatch):
    work = Work()
    result = load_app(monkeypatch, work).handler(sample_event(FUNCTION_DIR), Context())
    assert result == {"batchItemFailures": []}
    assert [ident(p) for p in work.payloads] == ["order-1"]
