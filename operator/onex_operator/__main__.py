import sys

from onex_operator.cli import main

sys.exit(main(sys.argv[1:] or ["run"]))
