from shared import make_handler, start_workflow

handler = make_handler("{{ source }}", start_workflow)
