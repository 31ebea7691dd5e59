from shared import make_handler, run_task

handler = make_handler("{{ source }}", run_task)
