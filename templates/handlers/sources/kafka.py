

def handler(event, context):
    """Kafka batch: records grouped by topic-partition, values base64-encoded."""
    count = 0
    for partition, records in sorted(event.get("records", {}).items()):
        for record in records:
            key = f"{record['topic']}-{record['partition']}-{record['offset']}"
            if already_processed(key):
                continue
            publish(do_work(json.loads(base64.b64decode(record["value"]))))
            mark_processed(key)
            count += 1
    return {"processed": count}
