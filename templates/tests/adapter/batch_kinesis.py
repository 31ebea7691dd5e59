

def batch(ids):
    """Kinesis records built from the sample, one per business id."""
    import base64
    import copy
    import json

    template = sample_event(FUNCTION_DIR)["Records"][0]
    records = []
    for n, key in enumerate(ids):
        record = copy.deepcopy(template)
        record["kinesis"]["sequenceNumber"] = f"4959033827149025660855969253836157109592157598913658889{n}"
        record["kinesis"]["data"] = base64.b64encode(json.dumps({"id": key}).encode()).decode()
        records.append(record)
    return {"Records": records}


def item_id(event, n):
    return event["Records"][n]["kinesis"]["sequenceNumber"]
