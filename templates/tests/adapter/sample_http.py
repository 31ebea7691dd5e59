

def test_the_sample_request_is_answered(aws, monkeypatch):
    import json

    work = Work()
    result = load_app(monkeypatch, work).handler(sample_event(FUNCTION_DIR), Context())
    assert result["statusCode"] == 200
    assert json.loads(result["body"]) == {"id": "order-1", "status": "done"}
    assert [ident(p) for p in work.payloads] == ["order-1"]


def test_a_body_that_is_not_json_is_a_400(aws, monkeypatch):
    event = sample_event(FUNCTION_DIR)
    event["body"], event["isBase64Encoded"] = "not json", False
    work = Work()
    assert load_app(monkeypatch, work).handler(event, Context())["statusCode"] == 400
    assert work.payloads == []


def test_a_failure_is_a_500_without_details(aws, monkeypatch):
    result = load_app(monkeypatch, Work(fail_on={"order-1"})).handler(sample_event(FUNCTION_DIR), Context())
    assert result["statusCode"] == 500
    assert "bad record" not in result["body"]
