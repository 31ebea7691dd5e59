

def test_the_person_is_notified_with_the_token(aws, monkeypatch):
    seen = []
    event = sample_event(FUNCTION_DIR)
    result = load_app(monkeypatch, lambda request, token: seen.append((request, token))).handler(event, Context())
    assert result == {"notified": True}
    assert seen == [(event.get("input", {}), event["taskToken"])]
