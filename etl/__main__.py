import os
import sys

from etl.cli import main

try:
    code = main()
    sys.stdout.flush()  # here, not at exit, so that a closed pipe is caught below
except BrokenPipeError:
    # The reader went away (python -m etl history | head): stop quietly, as Unix tools do. Python
    # would flush stdout again at exit and fail once more, so point it at devnull first.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    code = 1
sys.exit(code)
