import logic
from shared import make_approval_handler

handler = make_approval_handler(logic.{{ step }})
