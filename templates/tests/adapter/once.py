

def test_a_redelivered_event_runs_once(aws, monkeypatch):
    work = Work()
    app = load_app(monkeypatch, work)
    first = app.handler(sample_event(FUNCTION_DIR), Context())
    calls = len(aws)
    again = app.handler(sample_event(FUNCTION_DIR), Context())
    assert len(work.payloads) == 1, "at-least-once delivery: the second copy must not run the work again"
    assert len(aws) == calls, "nor publish again"
    assert again == first
