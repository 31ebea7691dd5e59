

def batch(ids):
    """DynamoDB stream records built from the sample, one per business id."""
    import copy

    template = sample_event(FUNCTION_DIR)["Records"][0]
    records = []
    for n, key in enumerate(ids):
        record = copy.deepcopy(template)
        record["dynamodb"]["SequenceNumber"] = f"11{n}"
        record["dynamodb"]["NewImage"]["pk"] = {"S": key}
        record["dynamodb"]["Keys"]["pk"] = {"S": key}
        records.append(record)
    return {"Records": records}


def item_id(event, n):
    return event["Records"][n]["dynamodb"]["SequenceNumber"]
