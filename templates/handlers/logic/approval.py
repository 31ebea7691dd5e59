"""{{ title }}: tell a person that a decision is waiting.

Created once by advisor scaffold; from now on it is yours: advisor never changes it and `advisor
scaffold --check` never counts it as drift. app.py (generated) calls {{ step }}() with the request
and the task token; the workflow waits until SendTaskSuccess (or SendTaskFailure) is called with
that token, or the state times out.
"""


def {{ step }}(request, token):
    """Notify someone (email, chat, a web page) with the request and a way to answer that carries the token."""
    # TODO: send the notification; the answer must end in
    # stepfunctions.send_task_success(taskToken=token, output='{"approved": true}') (or false).
    return {"notified": True, "token_length": len(token)}
