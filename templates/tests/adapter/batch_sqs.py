

def batch(ids, groups=None):
    """SQS records built from the sample, one per business id (FIFO groups when given)."""
    import copy
    import json

    template = sample_event(FUNCTION_DIR)["Records"][0]
    records = []
    for n, key in enumerate(ids):
        record = copy.deepcopy(template)
        record["messageId"] = f"message-{n}"
        record["body"] = json.dumps({"id": key})
        if groups:
            record["eventSourceARN"] += ".fifo"
            record["attributes"]["MessageGroupId"] = groups[n]
            record["attributes"]["SequenceNumber"] = str(n)
        records.append(record)
    return {"Records": records}


def item_id(event, n):
    return event["Records"][n]["messageId"]


def test_a_fifo_group_stops_at_its_first_failure(aws, monkeypatch):
    event = batch(["a-1", "a-2", "b-1"], groups=["a", "a", "b"])
    work = Work(fail_on={"a-1"})
    result = load_app(monkeypatch, work).handler(event, Context())
    failed = [f["itemIdentifier"] for f in result["batchItemFailures"]]
    assert failed == [item_id(event, 0), item_id(event, 1)], "a-2 must wait for a-1, in order"
    assert [ident(p) for p in work.payloads] == ["a-1", "b-1"], "group b is not held up by group a"
