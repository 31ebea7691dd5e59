"""Tests of src/{{ function_dir }}/logic.py: who is told that a decision waits, and how.

Created once by advisor scaffold; from now on this file is yours (advisor never changes it).
"""
from conftest import ROOT, load_module, sample_event


def test_{{ step }}_notifies_with_the_token(monkeypatch):
    logic = load_module(ROOT / "src" / "{{ function_dir }}" / "logic.py", "logic_{{ function_dir }}", monkeypatch)
    event = sample_event("{{ function_dir }}")
    assert logic.{{ step }}(event.get("input", {}), event["taskToken"])["notified"] is True
