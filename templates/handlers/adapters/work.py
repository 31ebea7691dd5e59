import logic
from shared import make_handler

handler = make_handler("{{ source }}", logic.{{ step }})
