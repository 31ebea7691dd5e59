

def test_the_sample_message_is_answered(aws, monkeypatch):
    work = Work()
    result = load_app(monkeypatch, work).handler(sample_event(FUNCTION_DIR), Context())
    assert result["statusCode"] == 200
    assert [ident(p) for p in work.payloads] == ["order-1"]


def test_connect_does_not_run_the_work(aws, monkeypatch):
    event = sample_event(FUNCTION_DIR)
    event["requestContext"]["routeKey"] = "$connect"
    work = Work()
    assert load_app(monkeypatch, work).handler(event, Context()) == {"statusCode": 200}
    assert work.payloads == []
