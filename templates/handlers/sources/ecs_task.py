

def handler(event=None, context=None):
    """Entry point of the container: the input comes in the INPUT variable (JSON)."""
    payload = json.loads(os.environ.get("INPUT") or "{}") if event is None else event
    result = do_work(payload)
    publish(result)
    print(json.dumps({"message": "step finished", "step": os.environ.get("STEP", "")}))
    return result


if __name__ == "__main__":
    handler()
