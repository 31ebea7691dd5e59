

def _messages(event):
    """ActiveMQ sends `messages`; RabbitMQ sends `rmqMessagesByQueue`."""
    for message in event.get("messages", []):
        yield message["messageID"], message["data"]
    for queue, messages in sorted(event.get("rmqMessagesByQueue", {}).items()):
        for message in messages:
            yield message["basicProperties"].get("messageId") or message["data"], message["data"]


def handler(event, context):
    """Amazon MQ batch: data is base64-encoded."""
    count = 0
    for message_id, data in _messages(event):
        if already_processed(message_id):
            continue
        publish(do_work(json.loads(base64.b64decode(data))))
        mark_processed(message_id)
        count += 1
    return {"processed": count}
