import sys

from enforcewatch.cli import main

sys.exit(main())
