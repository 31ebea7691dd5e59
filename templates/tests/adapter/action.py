

def test_the_action_calls_aws(aws, monkeypatch):
    app = load_module(ROOT / "src" / FUNCTION_DIR / "app.py", f"app_{FUNCTION_DIR}", monkeypatch)
    app.handler(sample_event(FUNCTION_DIR), Context())
    expected = {"start_workflow": ("stepfunctions", "start_execution"), "run_task": ("ecs", "run_task")}[STEP]
    assert expected in [(service, name) for service, name, _ in aws]
