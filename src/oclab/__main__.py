"""``python -m oclab`` runs the command line."""

import sys

from oclab.cli import main

sys.exit(main())
