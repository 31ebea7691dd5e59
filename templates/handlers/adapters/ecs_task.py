import os
import sys

# The container has no Lambda layer: the shared module is in src/shared beside this step.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "shared"))

import logic  # noqa: E402
from shared import run_container  # noqa: E402

if __name__ == "__main__":
    run_container(logic.{{ step }})
