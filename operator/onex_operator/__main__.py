import sys

from onex_operator.cli import main

sys.exit(main())
