

def test_the_outcome_is_published_under_its_business_key(aws, monkeypatch):
    kind = "{{ publish }}"
    monkeypatch.setenv("OUTCOME_KIND", kind)
    monkeypatch.setenv("OUTCOME_TARGETS", "target-1.fifo" if kind in ("sns", "sqs") else "target-1")
    load_app(monkeypatch, lambda payload: {"id": "order-1", "status": "done"}).handler(
        sample_event(FUNCTION_DIR), Context())
    sent = [kwargs for service, _, kwargs in aws if service == {"events": "events"}.get(kind, kind)]
    assert len(sent) == 1
    key = {"sns": "MessageGroupId", "sqs": "MessageGroupId", "kinesis": "PartitionKey"}.get(kind)
    if key:
        assert sent[0][key] == "order-1", "the FIFO group / partition is the business key, not one global value"
    if kind == "dynamodb":
        assert sent[0]["Item"]["pk"] == {"S": "order-1"}


def test_an_outcome_without_a_key_still_has_a_valid_one(aws, monkeypatch):
    kind = "{{ publish }}"
    monkeypatch.setenv("OUTCOME_KIND", kind)
    monkeypatch.setenv("OUTCOME_TARGETS", "target-1.fifo" if kind in ("sns", "sqs") else "target-1")
    load_app(monkeypatch, lambda payload: {"status": "done"}).handler(sample_event(FUNCTION_DIR), Context())
    sent = [kwargs for service, _, kwargs in aws if service == {"events": "events"}.get(kind, kind)]
    values = [sent[0].get("MessageGroupId"), sent[0].get("PartitionKey"), sent[0].get("Item", {}).get("pk", {}).get("S")]
    assert all(v != "" for v in values), "AWS rejects an empty group id, partition key or table key"
