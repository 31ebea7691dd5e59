

def test_the_container_runs_the_work_on_its_input(aws, monkeypatch):
    import json

    import shared

    work = Work()
    monkeypatch.setenv("INPUT", json.dumps({"id": "order-1"}))
    assert shared.run_container(work) == {"id": "order-1", "status": "done"}
    assert work.payloads == [{"id": "order-1"}]
    source = (ROOT / "src" / FUNCTION_DIR / "app.py").read_text()
    assert f"run_container(logic.{STEP})" in source
