

def handler(event, context):
    """A Step Functions task: the state input in, the result out (the workflow keeps it at $.last)."""
    # Step Functions may retry a task: make do_work safe to repeat, or use already_processed()
    # with a key from the input.
    return do_work(event)
