

def test_only_the_failing_record_is_reported(aws, monkeypatch):
    event = batch(["a-1", "a-2", "a-3"])
    result = load_app(monkeypatch, Work(fail_on={"a-2"})).handler(event, Context())
    assert result == {"batchItemFailures": [{"itemIdentifier": item_id(event, 1)}]}
